package dev.vigil.score;

import dev.vigil.feature.Features;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Labelled feature rows where fraud depends on a new device, a burst of transactions in the last
 * minute and a young account, through a hidden noise term: learnable, but not perfectly.
 */
public final class SyntheticFraud {

    public record Data(List<Features> rows, List<Boolean> labels, List<Instant> times) {
        public int size() {
            return rows.size();
        }

        long frauds() {
            return labels.stream().filter(b -> b).count();
        }

        Data withLabels(List<Boolean> other) {
            return new Data(rows, other, times);
        }
    }

    private SyntheticFraud() {}

    /** {@code n} rows one minute apart from {@code start}, handed back in shuffled order. */
    public static Data generate(int n, long seed, Instant start) {
        Random r = new Random(seed);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < n; i++) positions.add(i);
        Collections.shuffle(positions, r);
        List<Features> rows = new ArrayList<>(n);
        List<Boolean> labels = new ArrayList<>(n);
        List<Instant> times = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long c1m = r.nextDouble() < 0.1 ? 3 + r.nextInt(8) : r.nextInt(3);
            long c1h = c1m + r.nextInt(10);
            long c24h = c1h + r.nextInt(30);
            long c7d = c24h + r.nextInt(100);
            double amount = Math.exp(3.5 + r.nextGaussian());
            long age = r.nextDouble() < 0.05 ? -1 : r.nextInt(2000);
            if (r.nextDouble() < 0.1) age = r.nextInt(60); // more young accounts than uniform gives
            boolean young = age >= 0 && age < 60;
            long deposits = r.nextInt(5);
            boolean newMerchant = r.nextDouble() < 0.2;
            boolean newDevice = r.nextDouble() < 0.1;
            long since = r.nextDouble() < 0.02 ? -1 : r.nextInt(100_000);
            double logit = -5.0 + 2.5 * (newDevice ? 1 : 0) + 0.6 * Math.min(c1m, 8) + 2.0 * (young ? 1 : 0)
                    + r.nextGaussian();
            boolean fraud = r.nextDouble() < 1 / (1 + Math.exp(-logit));
            rows.add(new Features(c1m, c1h, c24h, c7d,
                    money(amount * c1m), money(amount * c1h), money(amount * c24h), money(amount * c7d),
                    age, deposits, money(amount * deposits),
                    r.nextDouble() < 0.3 ? BigDecimal.ONE.negate() : BigDecimal.valueOf(r.nextDouble() * 2).setScale(4, RoundingMode.HALF_EVEN),
                    newMerchant, newDevice, since));
            labels.add(fraud);
            times.add(start.plusSeconds(60L * positions.get(i)));
        }
        return new Data(List.copyOf(rows), List.copyOf(labels), List.copyOf(times));
    }

    private static BigDecimal money(double v) {
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_EVEN);
    }
}
