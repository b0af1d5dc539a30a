package dev.vigil.score;

import dev.vigil.feature.Features;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Champion against challenger on the same labelled transactions: both models score the feature
 * snapshots the decisions recorded, so the comparison sees exactly what live scoring saw.
 */
public final class ModelComparison {

    /**
     * One model's figures.
     *
     * @param reviewThreshold the card's REVIEW threshold
     * @param flagged rows at or above it
     * @param recall share of fraud rows flagged
     * @param falsePositiveRate share of legitimate rows flagged
     */
    public record Side(String version, double aucRoc, double averagePrecision, double reviewThreshold, long flagged,
                       double recall, double falsePositiveRate) {}

    /** @param disagreements rows one model flags and the other does not */
    public record Result(long rows, long frauds, Side champion, Side challenger, long disagreements) {}

    private ModelComparison() {}

    /**
     * @throws IllegalArgumentException when the rows lack fraud or legitimate examples
     */
    public static Result compare(XgboostRiskModel champion, XgboostRiskModel challenger, List<Features> rows, List<Boolean> labels) {
        Objects.requireNonNull(champion, "champion");
        Objects.requireNonNull(challenger, "challenger");
        if (rows.size() != labels.size()) throw new IllegalArgumentException(rows.size() + " rows, " + labels.size() + " labels");
        boolean[] y = new boolean[labels.size()];
        long frauds = 0;
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.get(i);
            if (y[i]) frauds++;
        }
        if (frauds == 0 || frauds == y.length) {
            throw new IllegalArgumentException("comparison needs fraud and legitimate labelled rows: " + frauds + " of " + y.length + " fraud");
        }
        double[] a = scores(champion, rows);
        double[] b = scores(challenger, rows);
        long disagreements = 0;
        for (int i = 0; i < y.length; i++) {
            if ((a[i] >= champion.reviewThreshold()) != (b[i] >= challenger.reviewThreshold())) disagreements++;
        }
        return new Result(y.length, frauds, side(champion, a, y), side(challenger, b, y), disagreements);
    }

    private static double[] scores(XgboostRiskModel m, List<Features> rows) {
        double[] out = new double[rows.size()];
        int chunk = 4096;
        for (int from = 0; from < rows.size(); from += chunk) {
            List<ModelScore> s = m.scoreAll(rows.subList(from, Math.min(rows.size(), from + chunk)));
            for (int i = 0; i < s.size(); i++) out[from + i] = s.get(i).probability();
        }
        return out;
    }

    private static Side side(XgboostRiskModel m, double[] p, boolean[] y) {
        double t = m.reviewThreshold();
        long flagged = 0;
        for (double v : p) if (v >= t) flagged++;
        return new Side(m.version(), Metrics.aucRoc(p, y), Metrics.averagePrecision(p, y), t, flagged,
                Metrics.rateAtOrAbove(p, y, true, t), Metrics.rateAtOrAbove(p, y, false, t));
    }

    /** The result as a few lines for a terminal. */
    public static List<String> describe(Result r) {
        List<String> out = new ArrayList<>();
        out.add(String.format(java.util.Locale.ROOT, "%,d audited transactions with labels, %,d fraud", r.rows(), r.frauds()));
        out.add(String.format(java.util.Locale.ROOT, "%-12s %-28s %8s %8s %10s %8s %8s %8s", "", "version", "AUC ROC", "AP",
                "REVIEW at", "flagged", "recall", "FPR"));
        for (String role : List.of("champion", "challenger")) {
            Side s = role.equals("champion") ? r.champion() : r.challenger();
            out.add(String.format(java.util.Locale.ROOT, "%-12s %-28s %8.4f %8.4f %10.4f %8d %8.4f %8.5f", role, s.version(),
                    s.aucRoc(), s.averagePrecision(), s.reviewThreshold(), s.flagged(), s.recall(), s.falsePositiveRate()));
        }
        out.add(String.format(java.util.Locale.ROOT, "%,d transactions flagged for REVIEW by one model and not the other", r.disagreements()));
        return out;
    }
}
