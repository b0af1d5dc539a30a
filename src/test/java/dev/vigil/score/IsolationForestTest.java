package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IsolationForestTest {

    // 2,000 rows of two features around (0, 0), with a spread of 1.
    private static float[] cloud(long seed) {
        Random r = new Random(seed);
        float[] v = new float[4000];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void shouldScoreAFarPointAsAnomalousAndTheCentreAsOrdinary() {
        IsolationForest f = IsolationForest.fit(cloud(1), 2, 100, 256, 7);
        double centre = f.score(new float[] {0, 0});
        double far = f.score(new float[] {8, -8});
        assertTrue(far > 0.7, "far point " + far);
        assertTrue(centre < 0.5, "centre " + centre);
    }

    // Scores fall as points move from far out towards the cloud, averaged over many fresh rows.
    @Test
    void shouldRankRowsFurtherOutHigherOnAverage() {
        IsolationForest f = IsolationForest.fit(cloud(2), 2, 100, 256, 9);
        Random r = new Random(3);
        double[] meanAt = new double[4];
        for (int ring = 0; ring < 4; ring++) {
            double sum = 0;
            for (int k = 0; k < 200; k++) {
                double angle = r.nextDouble() * 2 * Math.PI;
                double radius = ring * 2;
                sum += f.score(new float[] {(float) (radius * Math.cos(angle)), (float) (radius * Math.sin(angle))});
            }
            meanAt[ring] = sum / 200;
        }
        for (int ring = 1; ring < 4; ring++) assertTrue(meanAt[ring] > meanAt[ring - 1], java.util.Arrays.toString(meanAt));
    }

    @Test
    void shouldBeDeterministicForASeed() {
        float[] x = {1.5f, -0.3f};
        assertEquals(IsolationForest.fit(cloud(4), 2, 50, 128, 11).score(x), IsolationForest.fit(cloud(4), 2, 50, 128, 11).score(x));
    }

    // c(n) = 2 H(n-1) - 2 (n-1) / n with H(i) = ln i + Euler's constant; c(2) = 1 by definition.
    @Test
    void shouldUseThePapersAveragePathLength() {
        assertEquals(1.0, IsolationForest.averagePathLength(2));
        assertEquals(2 * (Math.log(255) + 0.5772156649015329) - 2.0 * 255 / 256, IsolationForest.averagePathLength(256), 1e-12);
        assertEquals(0.0, IsolationForest.averagePathLength(1));
    }
}
