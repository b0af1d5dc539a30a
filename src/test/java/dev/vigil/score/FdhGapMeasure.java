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
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/**
 * Where the FDH model loses, and what a feature the engine lacks would bring: on the validation weeks of
 * {@link FdhModelSelectionMeasure} (never the test weeks), the share of each fraud scenario caught at a 1%
 * false-positive rate (the scenario column is read for this breakdown only, never as an input), the
 * features the trees gain most from, and the same figures with candidate columns computed here from the
 * CSV, point in time (a label counts only 7 days after its transaction):
 * <ul>
 *   <li>{@code amount}: the transaction amount itself (the engine has sums and ratios, not the amount);
 *   <li>{@code terminal}: the handbook's terminal risk, fraud share and count over the 1, 7 and 30 days
 *       that end 7 days before the transaction (the engine's merchant rates of windows ending now count only
 *       the labels known inside them, so with a 7-day delay its 1- and 7-day rates are always 0; the engine
 *       has since computed the shares, cut at UTC midnight, as {@code merchant_fraud_rate_*_delayed});
 *   <li>{@code customer}: the customer's frauds known by now (transactions 7 to 37 days old);
 *   <li>{@code exactrisk}, {@code daycounts}, {@code streak}, {@code since}, {@code streakage}, {@code daystreak}:
 *       the terminal's history behind the label delay read other ways ({@link #terminalHistory}); {@code daystreak}
 *       is what the engine computes as {@code merchant_fraud_streak_delayed};
 *   <li>{@code daystreakage}, {@code frauds24h}: the whole-day streak's age and the known frauds of [t - 8 d, t - 7 d),
 *       what the engine computes as features 124 and 125;
 *   <li>{@code cardcontext}: the card's earlier amounts of 7 days over 3 times its 30-day median, what features 126
 *       and 127 compute from amount bins.
 * </ul>
 * Beside the figures it splits 1 - AUC by fraud group (scenario, and a terminal compromise's day) and counts the
 * legitimate rows flagged at 0.1% and 1% FPR at a terminal just after its compromise ({@link #compromiseDay}).
 * {@code -Dvigil.fdh.weeks=...} reads other weeks than the validation ones: a report's, to see where its AUC went.
 * Runs only with {@code -Dvigil.fdh.cache=... -Dvigil.fdh.data=...}, or as a program:
 * {@code java ... dev.vigil.score.FdhGapMeasure CACHE CSV WINDOW 'setting' [amount,terminal,customer ...]}.
 */
class FdhGapMeasure {

    private static final long DAY = 86_400_000L;

    @Test
    void measureTheGap() throws Exception {
        String cache = System.getProperty("vigil.fdh.cache");
        String data = System.getProperty("vigil.fdh.data");
        assumeTrue(cache != null && data != null, "set -Dvigil.fdh.cache and -Dvigil.fdh.data");
        main(new String[] {cache, data, "HANDBOOK_WEEK", "d6 e0.1 r400 s30 m1 ss1 cs1 w1 varying", "none", "amount,terminal,customer"});
    }

    public static void main(String[] args) throws Exception {
        HistoryReplay.Result h = FdhModelSelectionMeasure.readAnyKey(Path.of(args[0]));
        int n = h.rows().size();
        int[] terminal = new int[n];
        float[] amount = new float[n];
        int[] scenario = new int[n];
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(Path.of(args[1]))),
                StandardCharsets.UTF_8))) {
            in.readLine();
            Map<String, Integer> ids = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String[] f = in.readLine().split(",");
                terminal[i] = ids.computeIfAbsent(f[3], k -> ids.size());
                amount[i] = Float.parseFloat(f[4]);
                scenario[i] = Integer.parseInt(f[8].trim());
            }
        }
        PrequentialEvaluation.Window window = PrequentialEvaluation.Window.valueOf(args[2]);
        FdhModelSelectionMeasure.Setting setting = FdhModelSelectionMeasure.Setting.parse(args[3]);
        List<String> base = setting.features().apply(h.rows());
        TrainingRows rows = h.rows().project(base);
        for (int k = 4; k < args.length; k++) {
            List<String> extras = args[k].equals("none") ? List.of() : List.of(args[k].split(","));
            Columns c = columns(rows, extras, h, terminal, amount);
            run(h, c, scenario, compromiseDay(scenario, terminal, h.rows().eventTimeMillis()), window, setting.options(), args[k]);
        }
    }

    record Columns(List<String> names, float[] x) {}

    static Columns columns(TrainingRows rows, List<String> extras, HistoryReplay.Result h, int[] terminal, float[] amount) {
        int n = rows.size();
        long[] t = rows.eventTimeMillis();
        boolean[] y = rows.labels();
        List<String> names = new ArrayList<>(rows.features());
        if (extras.contains("amount")) names.add("amount");
        if (extras.contains("terminal")) names.addAll(List.of("terminal_count_1d_delayed", "terminal_risk_1d_delayed",
                "terminal_count_7d_delayed", "terminal_risk_7d_delayed", "terminal_count_30d_delayed", "terminal_risk_30d_delayed"));
        if (extras.contains("customer")) names.add("customer_known_fraud_30d");
        if (extras.contains("exactrisk")) names.addAll(List.of("terminal_risk_1d_exact", "terminal_risk_7d_exact", "terminal_risk_30d_exact"));
        if (extras.contains("daycounts")) names.addAll(List.of("terminal_count_1d_dayend", "terminal_count_7d_dayend", "terminal_count_30d_dayend"));
        if (extras.contains("streak")) names.addAll(List.of("terminal_known_fraud_streak", "terminal_known_fraud_share_last5"));
        if (extras.contains("since")) names.addAll(List.of("terminal_days_since_known_fraud", "terminal_known_frauds_28d"));
        if (extras.contains("streakage")) names.add("terminal_known_fraud_streak_days");
        if (extras.contains("daystreak")) names.add("terminal_known_fraud_streak_dayend");
        if (extras.contains("daystreakage")) names.add("terminal_known_fraud_streak_age_dayend");
        if (extras.contains("frauds24h")) names.add("terminal_known_frauds_24h_delayed_exact");
        if (extras.contains("cardcontext")) names.addAll(List.of("card_high_ratio_count_7d", "card_max_ratio_7d"));
        int base = rows.columns();
        int cols = names.size();
        float[] x = new float[n * cols];
        for (int i = 0; i < n; i++) System.arraycopy(rows.values(), i * base, x, i * cols, base);
        int o = base;
        if (extras.contains("amount")) {
            for (int i = 0; i < n; i++) x[i * cols + o] = amount[i];
            o++;
        }
        if (extras.contains("terminal")) {
            delayedWindows(terminal, t, y, x, cols, o, new long[] {1, 7, 30}, true);
            o += 6;
        }
        if (extras.contains("customer")) {
            delayedWindows(h.customer(), t, y, x, cols, o, new long[] {30}, false);
            o++;
        }
        if (extras.contains("cardcontext")) o = cardContext(h, t, x, cols, o);
        for (String g : List.of("exactrisk", "daycounts", "streak", "since", "streakage", "daystreak", "daystreakage", "frauds24h")) {
            if (extras.contains(g)) o = terminalHistory(g, terminal, t, y, x, cols, o);
        }
        return new Columns(names, x);
    }

    /** Per entity: over [t - 7 d - w, t - 7 d), the transaction count and fraud share (or the fraud count alone). */
    private static void delayedWindows(int[] entity, long[] t, boolean[] y, float[] x, int cols, int at, long[] days, boolean countAndShare) {
        Map<Integer, List<Integer>> by = new HashMap<>();
        for (int i = 0; i < t.length; i++) by.computeIfAbsent(entity[i], k -> new ArrayList<>()).add(i);
        for (List<Integer> idx : by.values()) {
            int m = idx.size();
            long[] times = new long[m];
            int[] fraudPrefix = new int[m + 1];
            for (int k = 0; k < m; k++) {
                times[k] = t[idx.get(k)];
                fraudPrefix[k + 1] = fraudPrefix[k] + (y[idx.get(k)] ? 1 : 0);
            }
            for (int k = 0; k < m; k++) {
                int i = idx.get(k);
                long end = t[i] - 7 * DAY;
                int hi = lowerBound(times, end);
                int o = i * cols + at;
                for (long d : days) {
                    int lo = lowerBound(times, end - d * DAY);
                    int frauds = fraudPrefix[hi] - fraudPrefix[lo];
                    if (countAndShare) {
                        x[o++] = hi - lo;
                        x[o++] = hi == lo ? 0 : (float) frauds / (hi - lo);
                    } else {
                        x[o++] = frauds;
                    }
                }
            }
        }
    }

    /**
     * The card's recent anomalies (a compromised card, scenario 3, multiplies a third of its amounts by 5 for 14
     * days): over the card's earlier transactions of [t - 7 d, t), how many had an amount over 3 times the
     * engine's 30-day median (its {@code amount_to_median_ratio_30d} above 3), and the largest such ratio.
     */
    private static int cardContext(HistoryReplay.Result h, long[] t, float[] x, int cols, int at) {
        TrainingRows all = h.rows();
        int ratioColumn = all.features().indexOf("amount_to_median_ratio_30d");
        Map<Integer, java.util.ArrayDeque<Integer>> recent = new HashMap<>();
        for (int i = 0; i < t.length; i++) {
            java.util.ArrayDeque<Integer> q = recent.computeIfAbsent(h.customer()[i], k -> new java.util.ArrayDeque<>());
            while (!q.isEmpty() && t[q.peekFirst()] < t[i] - 7 * DAY) q.pollFirst();
            int high = 0;
            float max = 0;
            for (int j : q) {
                float r = all.values()[j * all.columns() + ratioColumn];
                if (r > 3) high++;
                max = Math.max(max, r);
            }
            x[i * cols + at] = high;
            x[i * cols + at + 1] = max;
            q.addLast(i);
        }
        return at + 2;
    }

    /** The horizon of a merchant's history a live engine would keep: 30 days before the 7-day label delay. */
    private static final long KEPT = 37 * DAY;

    /**
     * Candidate merchant columns (group g), all reading only transactions at least 7 days old (their labels
     * known, exactly) and no older than {@link #KEPT}: exactrisk, the fraud share of [t - 7 d - w, t - 7 d);
     * daycounts, the transactions of the whole UTC days of the engine's delayed windows; streak, how many of
     * the latest label-known transactions are all fraud, and the fraud share of the latest 5; since, days
     * from the latest known fraud (NaN: none) and known frauds of [t - 35 d, t - 7 d); streakage, days from
     * the streak's first fraud to t (NaN: no streak).
     */
    private static int terminalHistory(String g, int[] entity, long[] t, boolean[] y, float[] x, int cols, int at) {
        Map<Integer, List<Integer>> by = new HashMap<>();
        for (int i = 0; i < t.length; i++) by.computeIfAbsent(entity[i], k -> new ArrayList<>()).add(i);
        int width = g.equals("streakage") || g.equals("daystreak") || g.equals("daystreakage") || g.equals("frauds24h") ? 1 : g.equals("exactrisk") || g.equals("daycounts") ? 3 : 2;
        for (List<Integer> idx : by.values()) {
            int m = idx.size();
            long[] times = new long[m];
            int[] fraudPrefix = new int[m + 1];
            int[] run = new int[m];
            int[] lastFraud = new int[m];
            for (int k = 0; k < m; k++) {
                times[k] = t[idx.get(k)];
                boolean f = y[idx.get(k)];
                fraudPrefix[k + 1] = fraudPrefix[k] + (f ? 1 : 0);
                run[k] = f ? (k > 0 ? run[k - 1] : 0) + 1 : 0;
                lastFraud[k] = f ? k : k > 0 ? lastFraud[k - 1] : -1;
            }
            for (int k = 0; k < m; k++) {
                int i = idx.get(k);
                long end = t[i] - 7 * DAY;
                int hi = lowerBound(times, end);
                int kept = lowerBound(times, t[i] - KEPT);
                int o = i * cols + at;
                switch (g) {
                    case "exactrisk" -> {
                        for (long d : new long[] {1, 7, 30}) {
                            int lo = lowerBound(times, end - d * DAY);
                            x[o++] = hi == lo ? 0 : (float) (fraudPrefix[hi] - fraudPrefix[lo]) / (hi - lo);
                        }
                    }
                    case "daycounts" -> {
                        long day = Math.floorDiv(t[i], DAY);
                        int dhi = lowerBound(times, (day - 7) * DAY);
                        for (long d : new long[] {1, 7, 30}) x[o++] = dhi - lowerBound(times, (day - 7 - d) * DAY);
                    }
                    case "streak" -> {
                        int streak = hi > kept ? Math.min(run[hi - 1], hi - kept) : 0;
                        int lo5 = Math.max(kept, hi - 5);
                        x[o++] = streak;
                        x[o++] = hi == lo5 ? Float.NaN : (float) (fraudPrefix[hi] - fraudPrefix[lo5]) / (hi - lo5);
                    }
                    case "since" -> {
                        int j = hi > 0 ? lastFraud[hi - 1] : -1;
                        x[o++] = j >= kept && j >= 0 ? (float) (t[i] - times[j]) / DAY : Float.NaN;
                        x[o++] = fraudPrefix[hi] - fraudPrefix[lowerBound(times, t[i] - 35 * DAY)];
                    }
                    case "frauds24h" -> x[o++] = fraudPrefix[hi] - fraudPrefix[lowerBound(times, end - DAY)];
                    case "streakage" -> {
                        int streak = hi > kept ? Math.min(run[hi - 1], hi - kept) : 0;
                        x[o++] = streak == 0 ? Float.NaN : (float) (t[i] - times[hi - streak]) / DAY;
                    }
                    case "daystreak", "daystreakage" -> {
                        // Whole UTC days D - 37 .. D - 8, newest first: transactions of days all fraud, up to the first day that is not.
                        long day = Math.floorDiv(t[i], DAY);
                        int j = lowerBound(times, (day - 7) * DAY) - 1;
                        int lo = lowerBound(times, (day - 37) * DAY);
                        int streak = 0;
                        long oldest = day;
                        while (j >= lo) {
                            long dd = Math.floorDiv(times[j], DAY);
                            int n = 0;
                            int f = 0;
                            while (j >= lo && Math.floorDiv(times[j], DAY) == dd) {
                                n++;
                                f += fraudPrefix[j + 1] - fraudPrefix[j];
                                j--;
                            }
                            if (f < n) break;
                            streak += n;
                            oldest = dd;
                        }
                        x[o++] = g.equals("daystreak") ? streak : streak == 0 ? Float.NaN : day - oldest;
                    }
                    default -> throw new IllegalArgumentException(g);
                }
            }
        }
        return at + width;
    }

    /**
     * Whole days since the latest compromise of the row's terminal began (its first scenario-2 fraud with none in
     * the 28 days before), for every row at a terminal compromised before it; -1 for the others. Label-side, for
     * the breakdown only.
     */
    static int[] compromiseDay(int[] scenario, int[] terminal, long[] t) {
        int[] out = new int[t.length];
        Arrays.fill(out, -1);
        Map<Integer, long[]> state = new HashMap<>(); // terminal -> {start, latest scenario-2 fraud}
        for (int i = 0; i < t.length; i++) {
            long[] st = state.get(terminal[i]);
            if (scenario[i] == 2) {
                if (st == null || t[i] - st[1] > 28 * DAY) state.put(terminal[i], st = new long[] {t[i], t[i]});
                st[1] = t[i];
            }
            if (st != null) out[i] = (int) ((t[i] - st[0]) / DAY);
        }
        return out;
    }

    /** Groups of frauds for the AUC-loss breakdown: scenarios 1 and 3, scenario 2 by day of its compromise. */
    private static String lossGroup(int scenario, int compromiseDay) {
        if (scenario != 2) return "s" + scenario;
        return compromiseDay < 7 ? "s2 day 0-6" : compromiseDay < 9 ? "s2 day 7-8" : "s2 day 9+";
    }

    static void run(HistoryReplay.Result h, Columns c, int[] scenario, int[] compromiseDay, PrequentialEvaluation.Window window,
            TrainingOptions options, String label) throws Exception {
        long[] t = h.rows().eventTimeMillis();
        boolean[] y = h.rows().labels();
        int n = y.length;
        int cols = c.names().size();
        List<PrequentialEvaluation.Figures> figs = new ArrayList<>();
        Map<Integer, long[]> caught = new TreeMap<>(); // scenario -> {caught at 1% FPR, total}, comparable rows
        Map<String, Double> gain = new HashMap<>();
        Map<String, double[]> loss = new TreeMap<>(); // group -> {sum of the share of legitimate rows ranked at or above, frauds}
        long fraudsKept = 0;
        long[][] flagged = new long[2][3]; // {after a compromise, other} x {at 0.1% FPR, at 1% FPR, legitimate rows}
        for (LocalDate start : weeks()) {
            long s = start.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long cut = s - 7 * DAY;
            long from = window == PrequentialEvaluation.Window.HANDBOOK_WEEK ? cut - 7 * DAY : Long.MIN_VALUE;
            int[] train = IntStream.range(0, n).filter(i -> t[i] >= from && t[i] < cut).toArray();
            int[] test = IntStream.range(0, n).filter(i -> t[i] >= s && t[i] < s + 7 * DAY).toArray();
            int split = (int) Math.round(train.length * (1 - options.validationFraction()));
            Booster b = train(c, y, Arrays.copyOfRange(train, 0, split), Arrays.copyOfRange(train, split, train.length), options);
            for (Map.Entry<String, Double> e : b.getScore(c.names().toArray(String[]::new), "total_gain").entrySet()) {
                gain.merge(e.getKey(), e.getValue(), Double::sum);
            }
            double[] p = predict(b, c.x(), cols, test);
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
            figs.add(PrequentialEvaluation.figures(p, ty, cust, day, keep));
            List<Double> kp = new ArrayList<>();
            List<Boolean> ky = new ArrayList<>();
            for (int k = 0; k < test.length; k++) if (keep[k]) {
                kp.add(p[k]);
                ky.add(ty[k]);
            }
            double[] pk = kp.stream().mapToDouble(Double::doubleValue).toArray();
            boolean[] yk = new boolean[ky.size()];
            for (int k = 0; k < yk.length; k++) yk[k] = ky.get(k);
            double thr = Metrics.thresholdForFalsePositiveBudget(pk, yk, 0.01);
            double thr01 = Metrics.thresholdForFalsePositiveBudget(pk, yk, 0.001);
            double[] legit = IntStream.range(0, pk.length).filter(k -> !yk[k]).mapToDouble(k -> pk[k]).sorted().toArray();
            for (int k = 0; k < test.length; k++) {
                if (!keep[k]) continue;
                if (!ty[k]) {
                    long[] f = flagged[compromiseDay[test[k]] >= 28 && compromiseDay[test[k]] < 45 ? 0 : 1];
                    if (p[k] >= thr01) f[0]++;
                    if (p[k] >= thr) f[1]++;
                    f[2]++;
                    continue;
                }
                long[] cnt = caught.computeIfAbsent(scenario[test[k]], z -> new long[2]);
                if (p[k] >= thr) cnt[0]++;
                cnt[1]++;
                int below = countBelow(legit, p[k], false);
                int notAbove = countBelow(legit, p[k], true);
                double share = (legit.length - notAbove + 0.5 * (notAbove - below)) / legit.length;
                double[] l = loss.computeIfAbsent(lossGroup(scenario[test[k]], compromiseDay[test[k]]), z -> new double[2]);
                l[0] += share;
                l[1]++;
                fraudsKept++;
            }
        }
        PrequentialEvaluation.Figures m = PrequentialEvaluation.mean(figs);
        StringBuilder sc = new StringBuilder();
        for (Map.Entry<Integer, long[]> e : caught.entrySet()) {
            sc.append(String.format(Locale.ROOT, " scenario %d: %d/%d (%.2f)", e.getKey(), e.getValue()[0], e.getValue()[1],
                    (double) e.getValue()[0] / e.getValue()[1]));
        }
        for (Map.Entry<String, double[]> e : loss.entrySet()) {
            sc.append(String.format(Locale.ROOT, " | %s: %d frauds, mean share of legitimate ranked above %.3f, AUC loss %.4f",
                    e.getKey(), (long) e.getValue()[1], e.getValue()[0] / e.getValue()[1], e.getValue()[0] / fraudsKept));
        }
        sc.append(String.format(Locale.ROOT, " | legitimate flagged at 0.1%%/1%% FPR: at a terminal 28-44 days after its"
                + " compromise began %d/%d of %d, other %d/%d of %d", flagged[0][0], flagged[0][1], flagged[0][2],
                flagged[1][0], flagged[1][1], flagged[1][2]));
        List<Map.Entry<String, Double>> top = new ArrayList<>(gain.entrySet());
        top.sort((a, b2) -> Double.compare(b2.getValue(), a.getValue()));
        double total = top.stream().mapToDouble(Map.Entry::getValue).sum();
        StringBuilder g = new StringBuilder();
        for (Map.Entry<String, Double> e : top.subList(0, Math.min(12, top.size()))) {
            g.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(), e.getValue() / total));
        }
        System.out.printf(Locale.ROOT, "GAP %s +[%s] (%d columns) comparable AUC %.4f AP %.4f CP@100 %.3f R@0.1%% %.3f R@1%% %.3f |"
                        + " caught at 1%% FPR:%s | gain:%s%n", window, label, cols, m.aucRoc(), m.averagePrecision(),
                m.cardPrecisionAt100(), m.recallAtFpr0001(), m.recallAtFpr001(), sc, g);
    }

    /** The validation weeks, or {@code -Dvigil.fdh.weeks=2018-08-08,...} to see where a report's AUC went (never to choose). */
    private static List<LocalDate> weeks() {
        String weeks = System.getProperty("vigil.fdh.weeks");
        return weeks == null ? FdhModelSelectionMeasure.VALIDATION_WEEKS : Arrays.stream(weeks.split(",")).map(LocalDate::parse).toList();
    }

    /** As {@link ModelTrainer}: the latest rows held out, early stopping on the validation metric. */
    private static Booster train(Columns c, boolean[] y, int[] train, int[] valid, TrainingOptions options) throws Exception {
        int cols = c.names().size();
        DMatrix dt = matrix(c.x(), y, cols, train);
        DMatrix dv = matrix(c.x(), y, cols, valid);
        Map<String, Object> params = new LinkedHashMap<>(ModelTrainer.parameters(options));
        Map<String, DMatrix> watches = new LinkedHashMap<>();
        watches.put("validation", dv);
        Booster b = XGBoost.train(dt, params, options.maxRounds(), watches, null, null, null, options.earlyStoppingRounds());
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

    /** How many of the sorted values are below {@code key}, or at or below it when {@code inclusive}. */
    private static int countBelow(double[] sorted, double key, boolean inclusive) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key || (inclusive && sorted[mid] == key)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
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
}
