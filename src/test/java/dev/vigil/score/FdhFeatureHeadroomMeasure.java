package dev.vigil.score;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/**
 * An estimate, outside the feature engine, of what the features being added (per-terminal fraud rate
 * with the 7-day label delay, the amount against the card's usual amount) bring on FDH: the replayed
 * engine features plus handbook-style terminal-risk and amount columns computed here from the CSV,
 * point in time (a label counts only 7 days after its transaction), then the same weekly protocol.
 * Not the product path: it shows the headroom, the real figures come from {@code vigil model evaluate}
 * once the engine computes these features.
 *
 * <p>Runs only with {@code -Dvigil.fdh.cache=<replay cache of vigil model evaluate> -Dvigil.fdh.data=<csv.gz>}.
 */
class FdhFeatureHeadroomMeasure {

    private static final long DAY = 86_400_000L;

    @Test
    void measureHeadroomOfTerminalRiskFeatures() throws Exception {
        String cache = System.getProperty("vigil.fdh.cache");
        String data = System.getProperty("vigil.fdh.data");
        assumeTrue(cache != null && data != null, "set -Dvigil.fdh.cache and -Dvigil.fdh.data");
        // The cache key is not checked here: any replay of this file will do.
        HistoryReplay.Result h = readAnyKey(Path.of(cache));
        int n = h.rows().size();
        int[] terminal = new int[n];
        float[] amount = new float[n];
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(Path.of(data))), StandardCharsets.UTF_8))) {
            in.readLine();
            Map<String, Integer> ids = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String[] f = in.readLine().split(",");
                terminal[i] = ids.computeIfAbsent(f[3], k -> ids.size());
                amount[i] = Float.parseFloat(f[4]);
            }
        }
        long[] t = h.rows().eventTimeMillis();
        boolean[] y = h.rows().labels();
        // Per terminal, its transactions in time order (the file is in time order).
        Map<Integer, List<Integer>> byTerminal = new HashMap<>();
        for (int i = 0; i < n; i++) byTerminal.computeIfAbsent(terminal[i], k -> new ArrayList<>()).add(i);
        int base = h.rows().columns();
        String[] extra = {"amount", "terminal_count_1d", "terminal_risk_1d", "terminal_count_7d", "terminal_risk_7d",
                "terminal_count_30d", "terminal_risk_30d", "amount_over_card_mean_7d"};
        int cols = base + extra.length;
        float[] x = new float[n * cols];
        for (int i = 0; i < n; i++) System.arraycopy(h.rows().values(), i * base, x, i * cols, base);
        long delay = 7 * DAY;
        for (List<Integer> rows : byTerminal.values()) {
            int m = rows.size();
            long[] times = new long[m];
            int[] fraudPrefix = new int[m + 1];
            for (int k = 0; k < m; k++) {
                times[k] = t[rows.get(k)];
                fraudPrefix[k + 1] = fraudPrefix[k] + (y[rows.get(k)] ? 1 : 0);
            }
            for (int k = 0; k < m; k++) {
                int i = rows.get(k);
                long end = t[i] - delay; // only transactions whose labels are known by now
                int hi = lowerBound(times, end);
                int o = i * cols + base;
                x[o] = amount[i];
                int w = 1;
                for (long days : new long[] {1, 7, 30}) {
                    int lo = lowerBound(times, end - days * DAY);
                    int count = hi - lo;
                    x[o + w] = count;
                    x[o + w + 1] = count == 0 ? 0 : (float) (fraudPrefix[hi] - fraudPrefix[lo]) / count;
                    w += 2;
                }
            }
        }
        // Amount against the card's mean over 7 days, from the engine's own 7-day count and sum.
        int c7 = Features_NAMES_indexOf("tx_count_7d");
        int s7 = Features_NAMES_indexOf("tx_sum_7d");
        for (int i = 0; i < n; i++) {
            float count = h.rows().values()[i * base + c7];
            float sum = h.rows().values()[i * base + s7];
            x[i * cols + base + 7] = count > 0 ? amount[i] / (sum / count) : 1f;
        }

        for (String window : List.of("HANDBOOK_WEEK", "ALL_KNOWN")) {
            List<PrequentialEvaluation.Figures> weeks = new ArrayList<>();
            for (LocalDate start : List.of(LocalDate.parse("2018-08-08"), LocalDate.parse("2018-08-15"),
                    LocalDate.parse("2018-08-22"), LocalDate.parse("2018-08-29"))) {
                long s = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                long cut = s - delay;
                long from = window.equals("HANDBOOK_WEEK") ? cut - 7 * DAY : Long.MIN_VALUE;
                int[] train = IntStream.range(0, n).filter(i -> t[i] >= from && t[i] < cut).toArray();
                int[] test = IntStream.range(0, n).filter(i -> t[i] >= s && t[i] < s + 7 * DAY).toArray();
                int split = (int) (train.length * 0.8);
                Booster b = train(x, y, cols, Arrays.copyOfRange(train, 0, split), Arrays.copyOfRange(train, split, train.length));
                double[] p = predict(b, x, cols, test);
                b.dispose();
                boolean[] ty = new boolean[test.length];
                int[] cust = new int[test.length];
                long[] day = new long[test.length];
                for (int k = 0; k < test.length; k++) {
                    ty[k] = y[test[k]];
                    cust[k] = h.customer()[test[k]];
                    day[k] = Math.floorDiv(t[test[k]], DAY);
                }
                boolean[] keep = PrequentialEvaluation.dropKnownCompromised(h, Math.floorDiv(s, DAY) - 14, day, cust);
                PrequentialEvaluation.Figures f = PrequentialEvaluation.figures(p, ty, cust, day, keep);
                weeks.add(f);
                System.out.printf(Locale.ROOT, "HEADROOM %s %s: AUC %.3f AP %.3f CP@100 %.3f R@0.1%% %.3f R@1%% %.3f%n",
                        window, start, f.aucRoc(), f.averagePrecision(), f.cardPrecisionAt100(), f.recallAtFpr0001(), f.recallAtFpr001());
            }
            PrequentialEvaluation.Figures m = PrequentialEvaluation.mean(weeks);
            System.out.printf(Locale.ROOT, "HEADROOM %s mean: AUC %.3f AP %.3f CP@100 %.3f R@0.1%% %.3f R@1%% %.3f%n",
                    window, m.aucRoc(), m.averagePrecision(), m.cardPrecisionAt100(), m.recallAtFpr0001(), m.recallAtFpr001());
        }
    }

    private static int Features_NAMES_indexOf(String name) {
        return dev.vigil.feature.Features.NAMES.indexOf(name);
    }

    private static int lowerBound(long[] a, long key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static Booster train(float[] x, boolean[] y, int cols, int[] train, int[] valid) throws Exception {
        DMatrix dt = matrix(x, y, cols, train);
        DMatrix dv = matrix(x, y, cols, valid);
        Map<String, Object> params = new LinkedHashMap<>(ModelTrainer.parameters(new TrainingOptions(null, null, 0.2, 6, 0.1, 400, 30,
                TrainingOptions.StoppingMetric.AUCPR, 0.001, 2, 42)));
        Map<String, DMatrix> watches = new LinkedHashMap<>();
        watches.put("validation", dv);
        Booster b = XGBoost.train(dt, params, 400, watches, null, null, null, 30);
        dt.dispose();
        dv.dispose();
        return b;
    }

    private static DMatrix matrix(float[] x, boolean[] y, int cols, int[] rows) throws Exception {
        float[] v = new float[rows.length * cols];
        float[] l = new float[rows.length];
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(x, rows[k] * cols, v, k * cols, cols);
            l[k] = y[rows[k]] ? 1 : 0;
        }
        DMatrix m = new DMatrix(v, rows.length, cols, Float.NaN);
        m.setLabel(l);
        return m;
    }

    private static double[] predict(Booster b, float[] x, int cols, int[] rows) throws Exception {
        float[] v = new float[rows.length * cols];
        for (int k = 0; k < rows.length; k++) System.arraycopy(x, rows[k] * cols, v, k * cols, cols);
        String best = b.getAttr("best_iteration");
        int[] range = best == null ? new int[] {0, 0} : new int[] {0, Integer.parseInt(best) + 1};
        float[][] raw = b.inplace_predict(v, rows.length, cols, Float.NaN, range);
        double[] p = new double[rows.length];
        for (int k = 0; k < rows.length; k++) p[k] = raw[k][0];
        return p;
    }

    private static HistoryReplay.Result readAnyKey(Path file) throws Exception {
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            in.readUTF();
            String key = in.readUTF();
            return HistoryReplay.Result.read(file, key);
        }
    }
}
