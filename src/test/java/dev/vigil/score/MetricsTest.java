package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final double EPS = 1e-12;

    // Given two frauds (0.35, 0.8) and two legitimate rows (0.1, 0.4):
    // of the 4 fraud/legitimate pairs, 0.8 beats both and 0.35 beats only 0.1, so AUC = 3/4.
    @Test
    void shouldCountPairsWonForAuc() {
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        boolean[] fraud = {false, false, true, true};
        assertEquals(0.75, Metrics.aucRoc(scores, fraud), EPS);
    }

    // Same rows, highest first: 0.8 fraud (recall 1/2, precision 1), 0.4 legitimate (no recall gained),
    // 0.35 fraud (recall 1, precision 2/3): AP = 1/2 × 1 + 1/2 × 2/3 = 5/6.
    @Test
    void shouldSumRecallStepsTimesPrecisionForAveragePrecision() {
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        boolean[] fraud = {false, false, true, true};
        assertEquals(5.0 / 6.0, Metrics.averagePrecision(scores, fraud), EPS);
    }

    // A fraud and a legitimate row tie at 0.5: that pair counts one half.
    // Pairs: 0.9 beats 0.5 and 0.2 (2), 0.5 ties 0.5 (1/2) and beats 0.2 (1): AUC = 3.5 / 4.
    // AP: 0.9 fraud gives recall 1/2 at precision 1; the tied 0.5 pair is one threshold, reached
    // together: recall 1 at precision 2/3. AP = 1/2 + 1/2 × 2/3 = 5/6.
    @Test
    void shouldTreatTiedScoresAsOneThreshold() {
        double[] scores = {0.5, 0.5, 0.2, 0.9};
        boolean[] fraud = {true, false, false, true};
        assertEquals(0.875, Metrics.aucRoc(scores, fraud), EPS);
        assertEquals(5.0 / 6.0, Metrics.averagePrecision(scores, fraud), EPS);
    }

    // All tied: no ranking at all, so AUC is exactly one half and AP is the fraud share.
    @Test
    void shouldGiveChanceFiguresWhenAllScoresTie() {
        double[] scores = {0.3, 0.3, 0.3, 0.3, 0.3};
        boolean[] fraud = {true, false, false, true, false};
        assertEquals(0.5, Metrics.aucRoc(scores, fraud), EPS);
        assertEquals(0.4, Metrics.averagePrecision(scores, fraud), EPS);
    }

    @Test
    void shouldGiveOneForPerfectRankingAndZeroForInverted() {
        double[] scores = {0.1, 0.2, 0.3, 0.9};
        assertEquals(1.0, Metrics.aucRoc(scores, new boolean[] {false, false, true, true}), EPS);
        assertEquals(1.0, Metrics.averagePrecision(scores, new boolean[] {false, false, true, true}), EPS);
        assertEquals(0.0, Metrics.aucRoc(scores, new boolean[] {true, true, false, false}), EPS);
    }

    @Test
    void shouldRefuseMetricsWithoutBothClasses() {
        double[] scores = {0.1, 0.2};
        assertThrows(IllegalArgumentException.class, () -> Metrics.aucRoc(scores, new boolean[] {true, true}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.aucRoc(scores, new boolean[] {false, false}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.averagePrecision(scores, new boolean[] {false, false}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.aucRoc(scores, new boolean[] {true}));
    }

    // Ten legitimate rows at 0.1 .. 1.0 and a 20% budget: two may be flagged (0.9 and 1.0), so the
    // threshold sits just above the third highest, 0.8, and flags the frauds at 0.85 and 0.95.
    @Test
    void shouldPlaceReviewThresholdJustAboveTheFirstLegitimateScoreOutsideTheBudget() {
        double[] scores = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.85, 0.95, 0.05};
        boolean[] fraud = new boolean[scores.length];
        fraud[10] = fraud[11] = fraud[12] = true;
        double t = Metrics.thresholdForFalsePositiveBudget(scores, fraud, 0.2);
        assertEquals(Math.nextUp(0.8), t);
        assertEquals(0.2, Metrics.rateAtOrAbove(scores, fraud, false, t), EPS);
        assertEquals(2.0 / 3.0, Metrics.rateAtOrAbove(scores, fraud, true, t), EPS);
        // A 5% budget of ten rows allows none: above the highest legitimate score.
        assertEquals(Math.nextUp(1.0), Metrics.thresholdForFalsePositiveBudget(scores, fraud, 0.05));
    }

    // ln 2 for a coin flip on either class.
    @Test
    void shouldComputeLogLoss() {
        assertEquals(Math.log(2), Metrics.logLoss(new double[] {0.5, 0.5}, new boolean[] {true, false}), EPS);
        assertEquals(-Math.log(0.8), Metrics.logLoss(new double[] {0.8, 0.2}, new boolean[] {true, false}), EPS);
    }

    /** AUC equals the share of fraud/legitimate pairs the fraud wins, ties counting one half. */
    @Property
    void aucEqualsPairwiseShare(@ForAll("scoredRows") List<Row> rows) {
        double[] s = scores(rows);
        boolean[] y = labels(rows);
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (!y[i] || y[j]) continue;
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
        }
        if (pairs == 0) {
            assertThrows(IllegalArgumentException.class, () -> Metrics.aucRoc(s, y));
        } else {
            assertEquals(wins / pairs, Metrics.aucRoc(s, y), 1e-9);
        }
    }

    /** Without ties, AP is the mean, over frauds, of the precision among rows scoring at least as high. */
    @Property
    void averagePrecisionIsMeanPrecisionAtEachFraudWhenScoresAreDistinct(@ForAll("scoredRows") List<Row> rows) {
        List<Row> distinct = IntStream.range(0, rows.size())
                .mapToObj(i -> new Row(rows.get(i).score() + i * 1e-6, rows.get(i).fraud())).toList();
        double[] s = scores(distinct);
        boolean[] y = labels(distinct);
        long frauds = distinct.stream().filter(Row::fraud).count();
        if (frauds == 0) {
            assertThrows(IllegalArgumentException.class, () -> Metrics.averagePrecision(s, y));
            return;
        }
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            if (!y[i]) continue;
            int atLeast = 0;
            int fraudAtLeast = 0;
            for (int j = 0; j < s.length; j++) {
                if (s[j] >= s[i]) {
                    atLeast++;
                    if (y[j]) fraudAtLeast++;
                }
            }
            sum += (double) fraudAtLeast / atLeast;
        }
        assertEquals(sum / frauds, Metrics.averagePrecision(s, y), 1e-9);
    }

    /**
     * The threshold keeps to the budget, and is the lowest that does: dropping it to the highest
     * legitimate score below it would flag one legitimate row too many.
     */
    @Property
    void reviewThresholdKeepsToTheBudgetAndIsTheLowestThatDoes(
            @ForAll("scoredRows") List<Row> rows, @ForAll @DoubleRange(min = 0, max = 0.99) double budget) {
        double[] s = scores(rows);
        boolean[] y = labels(rows);
        long legitimate = rows.stream().filter(r -> !r.fraud()).count();
        if (legitimate == 0) {
            assertThrows(IllegalArgumentException.class, () -> Metrics.thresholdForFalsePositiveBudget(s, y, budget));
            return;
        }
        double t = Metrics.thresholdForFalsePositiveBudget(s, y, budget);
        long allowed = (long) Math.floor(budget * legitimate + 1e-9);
        long flagged = rows.stream().filter(r -> !r.fraud() && r.score() >= t).count();
        assertTrue(flagged <= allowed, flagged + " legitimate flagged, " + allowed + " allowed");
        rows.stream().filter(r -> !r.fraud() && r.score() < t).mapToDouble(Row::score).max().ifPresent(lower -> {
            long flaggedLower = rows.stream().filter(r -> !r.fraud() && r.score() >= lower).count();
            assertTrue(flaggedLower > allowed, "threshold " + lower + " would also keep to the budget");
        });
    }

    record Row(double score, boolean fraud) {}

    @Provide
    Arbitrary<List<Row>> scoredRows() {
        // Scores from a small set, so that ties are common.
        Arbitrary<Double> score = Arbitraries.integers().between(0, 20).map(i -> i / 20.0);
        return Combinators.combine(score, Arbitraries.of(true, false)).as(Row::new).list().ofMinSize(1).ofMaxSize(40);
    }

    private static double[] scores(List<Row> rows) {
        return rows.stream().mapToDouble(Row::score).toArray();
    }

    private static boolean[] labels(List<Row> rows) {
        boolean[] y = new boolean[rows.size()];
        for (int i = 0; i < y.length; i++) y[i] = rows.get(i).fraud();
        return y;
    }
}
