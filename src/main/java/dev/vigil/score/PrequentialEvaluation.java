package dev.vigil.score;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FDH handbook's evaluation protocol on a replayed history: for each test week, a model trained
 * only on transactions (and labels) known {@code delay} before the week starts, scored on the week.
 *
 * <p>Known-compromised cards are left out of each test day as the handbook's {@code get_train_test_set}
 * does: a customer with a fraud on a day from the start of the handbook's training week (14 days
 * before the test week) up to 8 days before the test day. Card precision@k follows the handbook's
 * {@code card_precision_top_k}: per day, each card's highest score, the k highest cards, the share of
 * them compromised that day; cards found on an earlier day of the week are left out; the mean of days.
 */
public final class PrequentialEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(PrequentialEvaluation.class);
    private static final long DAY_MS = 86_400_000L;

    /** Which transactions before the cut-off a test week's model learns from. */
    public enum Window {
        /** The handbook's: the 7 days that end {@code delay} before the test week. */
        HANDBOOK_WEEK,
        /** Everything earlier than {@code delay} before the test week, as a production system could. */
        ALL_KNOWN
    }

    /** Figures of one test week (or their mean). */
    public record Figures(long rows, long frauds, double aucRoc, double averagePrecision, double cardPrecisionAt100,
                          double recallAtFpr0001, double recallAtFpr001) {}

    /**
     * One test week.
     *
     * @param comparable with known-compromised cards left out, as the handbook
     * @param allRows every transaction of the week
     */
    public record Week(LocalDate start, long trainRows, long trainFrauds, int trees, Figures comparable, Figures allRows) {}

    private PrequentialEvaluation() {}

    public static List<Week> run(HistoryReplay.Result history, List<LocalDate> testWeeks, Duration delay, Window window,
            TrainingOptions options, Path scratch) {
        return run(history, testWeeks, delay, window, options, TrainingRows::features, scratch);
    }

    /**
     * As {@link #run(HistoryReplay.Result, List, Duration, Window, TrainingOptions, Path)}, each week's model
     * reading the columns {@code featureChoice} picks from that week's training rows (e.g.
     * {@link TrainingRows#varyingFeatures()}); the test rows are cut to the same columns.
     */
    public static List<Week> run(HistoryReplay.Result history, List<LocalDate> testWeeks, Duration delay, Window window,
            TrainingOptions options, java.util.function.Function<TrainingRows, List<String>> featureChoice, Path scratch) {
        Objects.requireNonNull(history, "history");
        TrainingRows all = history.rows();
        long[] t = all.eventTimeMillis();
        List<Week> out = new ArrayList<>();
        for (LocalDate start : testWeeks) {
            long s = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long cut = s - delay.toMillis();
            long from = window == Window.HANDBOOK_WEEK ? cut - 7 * DAY_MS : Long.MIN_VALUE;
            int[] train = IntStream.range(0, all.size()).filter(i -> t[i] >= from && t[i] < cut).toArray();
            int[] test = IntStream.range(0, all.size()).filter(i -> t[i] >= s && t[i] < s + 7 * DAY_MS).toArray();
            TrainingRows trainRows = all.select(train);
            List<String> columns = featureChoice.apply(trainRows);
            trainRows = trainRows.project(columns);
            long trainFrauds = 0;
            for (boolean y : trainRows.labels()) if (y) trainFrauds++;
            LOG.info("Test week {}: training on {} rows ({} fraud) from {} to {}, {} features", start, train.length, trainFrauds,
                    Instant.ofEpochMilli(t[train[0]]), Instant.ofEpochMilli(t[train[train.length - 1]]), columns.size());
            TrainedModel trained = ModelTrainer.train(trainRows, options.withVersion("eval-" + start));
            Path dir = scratch.resolve("eval-" + start);
            trained.writeTo(dir);
            double[] p;
            try (XgboostRiskModel model = XgboostRiskModel.load(dir)) {
                p = predict(model, all.select(test).project(columns));
            }
            boolean[] y = new boolean[test.length];
            int[] cust = new int[test.length];
            long[] day = new long[test.length];
            for (int k = 0; k < test.length; k++) {
                y[k] = all.labels()[test[k]];
                cust[k] = history.customer()[test[k]];
                day[k] = Math.floorDiv(t[test[k]], DAY_MS);
            }
            boolean[] keep = dropKnownCompromised(history, Math.floorDiv(s, DAY_MS) - 14, day, cust);
            Figures comparable = figures(p, y, cust, day, keep);
            boolean[] every = new boolean[test.length];
            Arrays.fill(every, true);
            Figures allRows = figures(p, y, cust, day, every);
            Week w = new Week(start, train.length, trainFrauds, trained.card().rounds().bestIteration() + 1, comparable, allRows);
            LOG.info("Test week {}: {}", start, w);
            out.add(w);
        }
        return out;
    }

    static double[] predict(XgboostRiskModel model, TrainingRows rows) {
        int n = rows.size();
        int cols = rows.columns();
        double[] p = new double[n];
        int chunk = 8192;
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            float[] part = Arrays.copyOfRange(rows.values(), from * cols, (from + m) * cols);
            float[] q = model.predict(part, m);
            for (int i = 0; i < m; i++) p[from + i] = q[i];
        }
        return p;
    }

    /**
     * Which test rows stay: a customer is dropped from a test day when it had a fraud on a day from
     * {@code firstTrainDay} up to 8 days before that test day.
     */
    static boolean[] dropKnownCompromised(HistoryReplay.Result history, long firstTrainDay, long[] day, int[] cust) {
        // Each customer's fraud days since the training week began.
        Map<Integer, List<Long>> fraudDays = new HashMap<>();
        long[] t = history.rows().eventTimeMillis();
        boolean[] labels = history.rows().labels();
        for (int i = 0; i < t.length; i++) {
            if (!labels[i]) continue;
            long d = Math.floorDiv(t[i], DAY_MS);
            if (d >= firstTrainDay) fraudDays.computeIfAbsent(history.customer()[i], k -> new ArrayList<>()).add(d);
        }
        boolean[] keep = new boolean[day.length];
        for (int k = 0; k < day.length; k++) {
            List<Long> days = fraudDays.get(cust[k]);
            long limit = day[k] - 8;
            keep[k] = days == null || days.stream().noneMatch(d -> d <= limit);
        }
        return keep;
    }

    static Figures figures(double[] pAll, boolean[] yAll, int[] custAll, long[] dayAll, boolean[] keep) {
        int n = 0;
        for (boolean b : keep) if (b) n++;
        double[] p = new double[n];
        boolean[] y = new boolean[n];
        int[] cust = new int[n];
        long[] day = new long[n];
        int k = 0;
        long frauds = 0;
        for (int i = 0; i < keep.length; i++) {
            if (!keep[i]) continue;
            p[k] = pAll[i];
            y[k] = yAll[i];
            cust[k] = custAll[i];
            day[k] = dayAll[i];
            if (y[k]) frauds++;
            k++;
        }
        return new Figures(n, frauds, Metrics.aucRoc(p, y), Metrics.averagePrecision(p, y),
                cardPrecisionAtK(p, y, cust, day, 100), recallAtFpr(p, y, 0.001), recallAtFpr(p, y, 0.01));
    }

    /** The share of frauds caught at the lowest threshold that flags at most {@code fpr} of the legitimate rows. */
    static double recallAtFpr(double[] p, boolean[] y, double fpr) {
        double threshold = Metrics.thresholdForFalsePositiveBudget(p, y, fpr);
        return Metrics.rateAtOrAbove(p, y, true, threshold);
    }

    /** The handbook's card precision top-k, see the class comment. */
    static double cardPrecisionAtK(double[] p, boolean[] y, int[] cust, long[] day, int topK) {
        long[] days = Arrays.stream(day).distinct().sorted().toArray();
        Set<Integer> detected = new HashSet<>();
        double sum = 0;
        for (long d : days) {
            Map<Integer, double[]> perCard = new HashMap<>(); // {max score, compromised that day}
            for (int i = 0; i < p.length; i++) {
                if (day[i] != d || detected.contains(cust[i])) continue;
                double[] c = perCard.computeIfAbsent(cust[i], x -> new double[] {Double.NEGATIVE_INFINITY, 0});
                c[0] = Math.max(c[0], p[i]);
                if (y[i]) c[1] = 1;
            }
            List<Map.Entry<Integer, double[]>> ranked = new ArrayList<>(perCard.entrySet());
            // Highest score first; equal scores by customer so the figure does not depend on hash order.
            ranked.sort(Comparator.<Map.Entry<Integer, double[]>>comparingDouble(e -> -e.getValue()[0])
                    .thenComparing(Map.Entry::getKey));
            int hits = 0;
            for (Map.Entry<Integer, double[]> e : ranked.subList(0, Math.min(topK, ranked.size()))) {
                if (e.getValue()[1] == 1) {
                    hits++;
                    detected.add(e.getKey());
                }
            }
            sum += (double) hits / topK;
        }
        return days.length == 0 ? Double.NaN : sum / days.length;
    }

    /** The mean of each figure over the weeks. */
    public static Figures mean(List<Figures> weeks) {
        return new Figures(
                (long) weeks.stream().mapToLong(Figures::rows).average().orElse(0),
                (long) weeks.stream().mapToLong(Figures::frauds).average().orElse(0),
                weeks.stream().mapToDouble(Figures::aucRoc).average().orElse(Double.NaN),
                weeks.stream().mapToDouble(Figures::averagePrecision).average().orElse(Double.NaN),
                weeks.stream().mapToDouble(Figures::cardPrecisionAt100).average().orElse(Double.NaN),
                weeks.stream().mapToDouble(Figures::recallAtFpr0001).average().orElse(Double.NaN),
                weeks.stream().mapToDouble(Figures::recallAtFpr001).average().orElse(Double.NaN));
    }

    /** The standard deviation (n - 1) of one figure over the weeks. */
    public static double std(List<Figures> weeks, java.util.function.ToDoubleFunction<Figures> f) {
        double[] v = weeks.stream().mapToDouble(f).toArray();
        if (v.length < 2) return Double.NaN;
        double m = Arrays.stream(v).average().orElseThrow();
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }

    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
