package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelComparisonTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path tmp;

    // A champion trained on real labels against a challenger trained on shuffled ones: the comparison
    // must put the champion well ahead, with each side's figures those of its own scores.
    @Test
    void shouldReportEachModelsFiguresOnTheSameLabelledRows() {
        SyntheticFraud.Data train = SyntheticFraud.generate(4000, 41, T0);
        ModelTrainer.train(train.rows(), train.labels(), train.times(), TrainingOptions.defaults().withVersion("good")
                .withCreatedAt(T0)).writeTo(tmp.resolve("good"));
        List<Boolean> shuffled = new ArrayList<>(train.labels());
        Collections.shuffle(shuffled, new Random(1));
        ModelTrainer.train(train.rows(), shuffled, train.times(), TrainingOptions.defaults().withVersion("noise")
                .withCreatedAt(T0)).writeTo(tmp.resolve("noise"));
        SyntheticFraud.Data audited = SyntheticFraud.generate(3000, 42, T0);
        try (XgboostRiskModel good = XgboostRiskModel.load(tmp.resolve("good"));
             XgboostRiskModel noise = XgboostRiskModel.load(tmp.resolve("noise"))) {
            ModelComparison.Result r = ModelComparison.compare(good, noise, audited.rows(), audited.labels());
            assertEquals(3000, r.rows());
            assertEquals(audited.frauds(), r.frauds());
            double[] p = good.scoreAll(audited.rows()).stream().mapToDouble(ModelScore::probability).toArray();
            boolean[] y = new boolean[p.length];
            for (int i = 0; i < y.length; i++) y[i] = audited.labels().get(i);
            assertEquals(Metrics.aucRoc(p, y), r.champion().aucRoc(), 1e-12);
            assertEquals(Metrics.averagePrecision(p, y), r.champion().averagePrecision(), 1e-12);
            assertEquals("noise", r.challenger().version());
            assertTrue(r.champion().aucRoc() > r.challenger().aucRoc() + 0.2, r.toString());
            long flagged = java.util.Arrays.stream(p).filter(v -> v >= good.reviewThreshold()).count();
            assertEquals(flagged, r.champion().flagged());
            assertTrue(ModelComparison.describe(r).get(2).startsWith("champion     good"), ModelComparison.describe(r).get(2));
        }
    }

    @Test
    void shouldRefuseRowsWithoutFraud() {
        SyntheticFraud.Data train = SyntheticFraud.generate(2000, 43, T0);
        ModelTrainer.train(train.rows(), train.labels(), train.times(), TrainingOptions.defaults().withVersion("m")
                .withCreatedAt(T0)).writeTo(tmp.resolve("m"));
        try (XgboostRiskModel m = XgboostRiskModel.load(tmp.resolve("m"))) {
            List<Boolean> none = Collections.nCopies(10, false);
            assertThrows(IllegalArgumentException.class,
                    () -> ModelComparison.compare(m, m, train.rows().subList(0, 10), none));
        }
    }
}
