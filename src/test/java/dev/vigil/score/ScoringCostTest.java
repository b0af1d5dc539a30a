package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.feature.Features;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints the cost of scoring per row, single and in batches of 500, and of exact SHAP explanations
 * single and in batches of 100, after warm-up. A measurement,
 * not a test of speed (timing targets live in benchmarks): it runs only with {@code -Dvigil.measure=true}.
 */
class ScoringCostTest {

    @TempDir
    Path tmp;

    @Test
    void measureScoringCostPerRow() throws Exception {
        assumeTrue(Boolean.getBoolean("vigil.measure"), "set -Dvigil.measure=true to measure");
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        SyntheticFraud.Data training = SyntheticFraud.generate(6000, 1, start);
        SyntheticFraud.Data rows = SyntheticFraud.generate(5000, 3, start.plusSeconds(60L * 6000));
        for (TrainingOptions options : List.of(
                TrainingOptions.defaults().withVersion("measure-default"),
                // Deeper and slower-learning, so that many more trees are kept: a larger model's cost.
                new TrainingOptions("measure-large", null, 0.2, 6, 0.02, 300, 300,
                        TrainingOptions.StoppingMetric.LOGLOSS, 0.01, 1, 42))) {
            Path dir = tmp.resolve(options.version());
            TrainedModel trained = ModelTrainer.train(training.rows(), training.labels(), training.times(), options);
            trained.writeTo(dir);
            try (XgboostRiskModel model = XgboostRiskModel.load(dir)) {
                measure(model, rows.rows(), dir);
            }
        }
        // The shipped champion, as the demo and the application load it.
        Path shipped = ModelDirectory.resolve(Path.of("models/vigil-demo"));
        try (XgboostRiskModel model = XgboostRiskModel.load(shipped)) {
            measure(model, rows.rows(), shipped);
        }
    }

    private static void measure(XgboostRiskModel model, List<Features> rows, Path dir) throws Exception {
        ModelCard card = model.card();
        String name = card.version() + " (" + (card.rounds().bestIteration() + 1) + " trees, depth "
                + card.parameters().get("max_depth") + ")";
        int n = rows.size();

        double single = Double.NaN;
        for (int round = 0; round < 3; round++) { // the first rounds are warm-up
            long t0 = System.nanoTime();
            double sink = 0;
            for (Features f : rows) sink += model.score(f).probability();
            single = (System.nanoTime() - t0) / 1000.0 / n;
            assertEquals(false, Double.isNaN(sink));
        }

        int batch = 500;
        double batched = Double.NaN;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += batch) model.scoreAll(rows.subList(from, from + batch));
            batched = (System.nanoTime() - t0) / 1000.0 / n;
        }

        // Exact SHAP (predictContrib) on top of scoring: one row at a time, and batches of 100
        // (the share of a 500 batch a rule set might send to REVIEW is far smaller; SHAP cost is per row).
        int shapRows = 1000;
        double shapSingle = Double.NaN;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < shapRows; i++) model.explainAll(rows.subList(i, i + 1), 5);
            shapSingle = (System.nanoTime() - t0) / 1000.0 / shapRows;
        }
        double shapBatched = Double.NaN;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int from = 0; from < shapRows; from += 100) model.explainAll(rows.subList(from, from + 100), 5);
            shapBatched = (System.nanoTime() - t0) / 1000.0 / shapRows;
        }

        // For comparison: the classic path, a DMatrix built per row and the synchronized predict.
        Booster booster = XGBoost.loadModel(dir.resolve("model.ubj").toString());
        booster.setParam("nthread", 1);
        double dmatrix = Double.NaN;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                DMatrix m = new DMatrix(rows.get(i).toModelVector(), 1, Features.NAMES.size(), Float.NaN);
                booster.predict(m);
                m.dispose();
            }
            dmatrix = (System.nanoTime() - t0) / 1000.0 / 2000;
        }
        booster.dispose();

        System.out.printf("%s: single row %.1f µs/row (inplace), batch of %d %.2f µs/row;"
                        + " SHAP top-5 single row %.1f µs/row, batch of 100 %.1f µs/row;"
                        + " DMatrix per row + predict %.1f µs/row. Validation AUC %.3f, AP %.3f,"
                        + " REVIEW at p >= %.4f flags %.3f of legitimate, %.3f of fraud%n",
                name, single, batch, batched, shapSingle, shapBatched, dmatrix, card.validation().aucRoc(),
                card.validation().averagePrecision(), card.thresholds().review().probability(),
                card.thresholds().review().validationFalsePositiveRate(), card.thresholds().review().validationRecall());
    }
}
