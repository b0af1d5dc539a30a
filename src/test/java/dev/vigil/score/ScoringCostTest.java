package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.feature.Features;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Instant;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints the cost of scoring per row, single and in batches of 500, and of exact SHAP explanations
 * single and in batches of 100, after warm-up; and, by batch size, the Java tree walk against XGBoost4J
 * (wall and CPU time per row), which places {@link XgboostRiskModel#WALK_BELOW_ROWS}. A measurement,
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

    /**
     * Per row, by batch size, wall and CPU time (this thread's, from ThreadMXBean: XGBoost runs on the calling
     * thread with nthread=1): the Java tree walk and XGBoost4J's inplace_predict on the same rows. Where the
     * walk stops being cheaper is {@link XgboostRiskModel#WALK_BELOW_ROWS}.
     */
    private static void walkAgainstXgboost(XgboostRiskModel model, List<Features> rows) {
        if (!model.walksTrees()) {
            System.out.println(model.version() + ": no Java tree walk (see the log for why)");
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int cols = model.card().features().size();
        int[] positions = Features.positions(model.card().features());
        int n = rows.size();
        float[] flat = new float[n * cols];
        for (int i = 0; i < n; i++) System.arraycopy(rows.get(i).vector(positions), 0, flat, i * cols, cols);
        StringBuilder table = new StringBuilder(model.version() + " per row, wall (CPU) µs: batch | Java walk | XGBoost4J\n");
        for (int size : new int[] {1, 2, 8, 64, 128, 256, 500}) {
            int batches = n / size;
            float[][] slices = new float[batches][];
            for (int b = 0; b < batches; b++) slices[b] = Arrays.copyOfRange(flat, b * size * cols, (b + 1) * size * cols);
            double[] walk = null;
            double[] xgb = null;
            for (int round = 0; round < 4; round++) { // the first rounds are warm-up
                walk = time(threads, batches * size, () -> {
                    for (float[] slice : slices) model.walk(slice, size);
                });
                xgb = time(threads, batches * size, () -> {
                    for (float[] slice : slices) model.predict(slice, size);
                });
            }
            table.append(String.format("%5d | %.2f (%.2f) | %.2f (%.2f)%n", size, walk[0], walk[1], xgb[0], xgb[1]));
        }
        System.out.print(table);
    }

    /** Wall and CPU µs per row of {@code work} over {@code rowCount} rows. */
    private static double[] time(ThreadMXBean threads, int rowCount, Runnable work) {
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        work.run();
        long wall = System.nanoTime() - t0;
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        return new double[] {wall / 1000.0 / rowCount, cpu / 1000.0 / rowCount};
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

        walkAgainstXgboost(model, rows);

        // For comparison: the classic path, a DMatrix built per row and the synchronized predict.
        int[] cardPositions = Features.positions(card.features());
        Booster booster = XGBoost.loadModel(dir.resolve("model.ubj").toString());
        booster.setParam("nthread", 1);
        double dmatrix = Double.NaN;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                // The card's columns: a shipped model reads fewer than the catalogue computes.
                DMatrix m = new DMatrix(rows.get(i).vector(cardPositions), 1, cardPositions.length, Float.NaN);
                booster.predict(m);
                m.dispose();
            }
            dmatrix = (System.nanoTime() - t0) / 1000.0 / 2000;
        }
        booster.dispose();

        System.out.printf("%s: score() one row %.1f µs/row (%s), scoreAll() batch of %d %.2f µs/row;"
                        + " SHAP top-5 single row %.1f µs/row, batch of 100 %.1f µs/row;"
                        + " DMatrix per row + predict %.1f µs/row. Validation AUC %.3f, AP %.3f,"
                        + " REVIEW at p >= %.4f flags %.3f of legitimate, %.3f of fraud%n",
                name, single, model.walksTrees() ? "Java tree walk" : "XGBoost4J inplace", batch, batched, shapSingle, shapBatched, dmatrix, card.validation().aucRoc(),
                card.validation().averagePrecision(), card.thresholds().review().probability(),
                card.thresholds().review().validationFalsePositiveRate(), card.thresholds().review().validationRecall());
    }
}
