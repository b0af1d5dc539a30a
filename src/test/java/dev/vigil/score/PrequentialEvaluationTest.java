package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialEvaluationTest {

    private static final long DAY = 86_400_000L;

    // Day 0: cards 0 (0.9, fraud), 1 (0.8), 2 (0.7, fraud); the top 2 are cards 0 and 1: precision 1/2,
    // and card 0 is found. Day 1: card 0 is left out although it scores highest; cards 2 (0.6, fraud)
    // and 1 (0.5) are the top 2: precision 1/2. Mean 1/2.
    @Test
    void shouldComputeCardPrecisionLikeTheHandbookLeavingOutCardsFoundEarlier() {
        double[] p = {0.9, 0.3, 0.8, 0.7, 0.95, 0.6, 0.5};
        boolean[] y = {true, false, false, true, true, true, false};
        int[] cust = {0, 0, 1, 2, 0, 2, 1};
        long[] day = {0, 0, 0, 0, 1, 1, 1};
        assertEquals(0.5, PrequentialEvaluation.cardPrecisionAtK(p, y, cust, day, 2), 1e-12);
        // With k = 3 all three cards are in day 0's top (2 of 3 compromised, both found); day 1 has only
        // card 1 left, legitimate: 0 of 3.
        assertEquals((2.0 / 3 + 0) / 2, PrequentialEvaluation.cardPrecisionAtK(p, y, cust, day, 3), 1e-12);
    }

    // Training week starts on day 0. Customer 0's fraud on day 2 is known from test day 10 (2 <= 10 - 8)
    // but not on test day 9. Customer 1's fraud on day -1, before the training week, is not counted, as
    // in the handbook. Customer 2 has no fraud.
    @Test
    void shouldDropACardFromTheTestDaysWhenItsFraudIsKnown() {
        long[] times = {-1 * DAY + 5, 2 * DAY + 5, 3 * DAY};
        boolean[] labels = {true, true, false};
        int[] customer = {1, 0, 2};
        TrainingRows rows = new TrainingRows(List.of("tx_count_1m"), new float[3], labels, times);
        HistoryReplay.Result history = new HistoryReplay.Result(rows, customer, List.of("a", "b", "c"));
        long[] testDay = {9, 10, 10, 10};
        int[] testCust = {0, 0, 1, 2};
        assertArrayEquals(new boolean[] {true, false, true, true},
                PrequentialEvaluation.dropKnownCompromised(history, 0, testDay, testCust));
    }

    // Ten legitimate rows 0.0 .. 0.9, frauds at 0.95, 0.85 and 0.05. At FPR 10% one legitimate row
    // (0.9) may be flagged: the threshold sits just above 0.8, catching 0.95 and 0.85.
    @Test
    void shouldReadRecallAtAFalsePositiveRate() {
        double[] p = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.85, 0.05};
        boolean[] y = new boolean[p.length];
        y[10] = y[11] = y[12] = true;
        assertEquals(2.0 / 3, PrequentialEvaluation.recallAtFpr(p, y, 0.1), 1e-12);
        assertEquals(1.0 / 3, PrequentialEvaluation.recallAtFpr(p, y, 0.0), 1e-12);
    }

    @Test
    void shouldTracePrecisionAndRecallHighestScoreFirst() {
        double[][] pts = PrecisionRecallChart.points(new double[] {0.9, 0.8, 0.8, 0.1}, new boolean[] {true, false, true, false});
        assertEquals(3, pts.length, "the tie at 0.8 is one point");
        assertArrayEquals(new double[] {0.5, 1.0}, pts[0]);
        assertArrayEquals(new double[] {1.0, 2.0 / 3}, pts[1]);
        assertArrayEquals(new double[] {1.0, 0.5}, pts[2]);
    }
}
