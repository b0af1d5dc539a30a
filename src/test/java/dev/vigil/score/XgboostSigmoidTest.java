package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link XgboostSigmoid} against XGBoost's own sigmoid, asked of the native library through a prediction with no
 * tree from a given base margin.
 */
class XgboostSigmoidTest {

    private static Booster oracle;
    private static int cols;

    @BeforeAll
    static void trainOracle() throws Exception {
        // Any binary:logistic booster will do: no tree is used, only the objective's transform. One feature keeps
        // the rows of the exhaustive comparison small.
        DMatrix one = new DMatrix(new float[] {0, 1, 2, 3}, 4, 1, Float.NaN);
        try {
            one.setLabel(new float[] {0, 0, 1, 1});
            oracle = XGBoost.train(one, Map.of("objective", "binary:logistic", "nthread", 1, "verbosity", 0), 1, Map.of(), null, null);
        } finally {
            one.dispose();
        }
        oracle.setParam("nthread", 1);
        cols = Math.toIntExact(oracle.getNumFeature());
    }

    @AfterAll
    static void dispose() {
        oracle.dispose();
    }

    @Test
    void shouldMatchXgboostOnEveryProbeMargin() throws Exception {
        float[] margins = TreeWalk.sigmoidProbes();
        float[] expected = TreeWalk.nativeSigmoid(oracle, cols, margins);
        for (int i = 0; i < margins.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(XgboostSigmoid.sigmoid(margins[i])),
                    "margin " + margins[i]);
        }
    }

    @Test
    void shouldNeedGlibcsExpfNotJavasCorrectlyRoundedExp() throws Exception {
        // The plain Java transcription, with (float) Math.exp, is correctly rounded where glibc is not: it
        // disagrees with XGBoost on some probe margins, which is why XgboostSigmoid transcribes glibc's expf.
        float[] margins = TreeWalk.sigmoidProbes();
        float[] expected = TreeWalk.nativeSigmoid(oracle, cols, margins);
        int differ = 0;
        for (int i = 0; i < margins.length; i++) {
            float x = Math.min(-margins[i], 88.7f);
            float naive = 1.0f / ((float) Math.exp(x) + 1.0f + 1e-16f);
            if (Float.floatToRawIntBits(naive) != Float.floatToRawIntBits(expected[i])) differ++;
        }
        assertTrue(differ > 0, "Java's Math.exp agrees with glibc's expf on every probe margin");
    }

    @Test
    void shouldComputeGlibcsExpfAtItsEdges() {
        assertEquals(0.0f, XgboostSigmoid.expf(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, XgboostSigmoid.expf(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(XgboostSigmoid.expf(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, XgboostSigmoid.expf(89f));
        assertEquals(0.0f, XgboostSigmoid.expf(-105f));
        assertEquals(Float.MIN_VALUE, XgboostSigmoid.expf(-103.5f));
        assertEquals(1.0f, XgboostSigmoid.expf(0f));
        assertEquals(1.0f, XgboostSigmoid.expf(-0f));
        assertEquals((float) Math.E, XgboostSigmoid.expf(1f));
    }

    /**
     * Every float margin in [-100, 100], 2.24 billion (about 6 minutes on one busy core), against XGBoost. Beyond
     * that range the sigmoid is flat in float. Opt-in: {@code -Dvigil.exhaustive=true}.
     */
    @Test
    void shouldMatchXgboostOnEveryFloatMarginInTheModelsRange() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.exhaustive"), "set -Dvigil.exhaustive=true to compare every float margin");
        long misses = 0;
        long compared = 0;
        float firstMiss = Float.NaN;
        int batch = 1 << 20;
        float[] margins = new float[batch];
        int top = Float.floatToRawIntBits(100f);
        for (int sign = 0; sign < 2; sign++) {
            for (int from = 0; from <= top; from += batch) {
                int n = Math.min(batch, top - from + 1);
                float[] m = n == batch ? margins : new float[n];
                for (int i = 0; i < n; i++) m[i] = Float.intBitsToFloat((from + i) | (sign << 31));
                float[] expected = TreeWalk.nativeSigmoid(oracle, cols, m);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(XgboostSigmoid.sigmoid(m[i]))) {
                        if (misses++ == 0) firstMiss = m[i];
                    }
                }
                compared += n;
            }
        }
        System.out.printf("compared %d margins with XGBoost's sigmoid: %d differ (first: %s)%n", compared, misses, firstMiss);
        assertEquals(0, misses, "margins whose probability differs from XGBoost's; the first " + firstMiss);
    }
}
