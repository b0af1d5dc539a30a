package dev.vigil.score;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Ranking metrics for a binary classifier, and the REVIEW threshold for a false-positive budget.
 * Scores are compared as given; equal scores form one threshold (a tie is neither ahead nor behind).
 */
final class Metrics {

    private Metrics() {}

    /**
     * Area under the ROC curve: the probability that a random fraud scores above a random legitimate
     * row, ties counting one half (Mann-Whitney U over average ranks).
     */
    static double aucRoc(double[] scores, boolean[] labels) {
        checkSameLength(scores, labels);
        long positives = count(labels, true);
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("AUC needs both classes: " + positives + " positive, "
                    + negatives + " negative");
        }
        Integer[] order = ascending(scores);
        double positiveRankSum = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) j++;
            // Ranks i+1 .. j+1 (1-based) are tied: each gets their mean.
            double averageRank = (i + 1 + j + 1) / 2.0;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]]) positiveRankSum += averageRank;
            }
            i = j + 1;
        }
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double) positives * negatives);
    }

    /**
     * Average precision: the sum over distinct score thresholds, highest first, of the recall gained
     * at that threshold times the precision there (the step-wise area under the precision-recall
     * curve, without interpolation; scikit-learn's definition).
     */
    static double averagePrecision(double[] scores, boolean[] labels) {
        checkSameLength(scores, labels);
        long positives = count(labels, true);
        if (positives == 0) throw new IllegalArgumentException("average precision needs a positive row");
        Integer[] order = ascending(scores);
        double ap = 0;
        double previousRecall = 0;
        long truePositives = 0;
        long falsePositives = 0;
        int i = order.length - 1;
        while (i >= 0) {
            int j = i;
            while (j - 1 >= 0 && scores[order[j - 1]] == scores[order[i]]) j--;
            for (int k = j; k <= i; k++) {
                if (labels[order[k]]) truePositives++;
                else falsePositives++;
            }
            double recall = (double) truePositives / positives;
            double precision = (double) truePositives / (truePositives + falsePositives);
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            i = j - 1;
        }
        return ap;
    }

    /**
     * The lowest threshold at which at most {@code floor(budget × legitimate rows)} legitimate rows
     * score at or above it: flag when {@code score >= threshold}. Lowest, because among thresholds
     * that keep to the budget it catches the most fraud.
     */
    static double thresholdForFalsePositiveBudget(double[] scores, boolean[] labels, double budget) {
        checkSameLength(scores, labels);
        if (!(budget >= 0 && budget <= 1)) throw new IllegalArgumentException("budget " + budget);
        double[] legitimate = IntStream.range(0, scores.length)
                .filter(i -> !labels[i]).mapToDouble(i -> scores[i]).sorted().toArray();
        int n = legitimate.length;
        if (n == 0) throw new IllegalArgumentException("threshold needs a legitimate row");
        // The epsilon keeps 0.29 × 100 (28.999…96 in binary) at 29 rows.
        long allowed = (long) Math.floor(budget * n + 1e-9);
        if (allowed >= n) return Math.min(0.0, legitimate[0]);
        // legitimate is ascending: the (allowed+1)-th highest must fall below the threshold.
        double highestNotFlagged = legitimate[(int) (n - 1 - allowed)];
        return Math.nextUp(highestNotFlagged);
    }

    /** Share of the rows of one class scoring at or above the threshold. */
    static double rateAtOrAbove(double[] scores, boolean[] labels, boolean label, double threshold) {
        checkSameLength(scores, labels);
        long ofClass = 0;
        long flagged = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] != label) continue;
            ofClass++;
            if (scores[i] >= threshold) flagged++;
        }
        return ofClass == 0 ? Double.NaN : (double) flagged / ofClass;
    }

    /** Mean binary cross-entropy, probabilities clipped away from 0 and 1 as XGBoost does. */
    static double logLoss(double[] probabilities, boolean[] labels) {
        checkSameLength(probabilities, labels);
        if (labels.length == 0) throw new IllegalArgumentException("log loss of no rows");
        final double eps = 1e-16;
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double p = Math.min(Math.max(probabilities[i], eps), 1 - eps);
            sum += labels[i] ? -Math.log(p) : -Math.log(1 - p);
        }
        return sum / labels.length;
    }

    private static Integer[] ascending(double[] scores) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        return order;
    }

    private static long count(boolean[] labels, boolean value) {
        long c = 0;
        for (boolean b : labels) if (b == value) c++;
        return c;
    }

    private static void checkSameLength(double[] scores, boolean[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
        for (double s : scores) {
            if (Double.isNaN(s)) throw new IllegalArgumentException("NaN score");
        }
    }
}
