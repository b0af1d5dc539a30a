package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.feature.Features;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.Example;

/** SHAP contributions: exact (they add up to the model's margin) and ranked by size. */
class ExplanationTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    static SyntheticFraud.Data rows;
    static XgboostRiskModel model;
    static Path dir;

    @BeforeContainer
    static void train() throws Exception {
        SyntheticFraud.Data training = SyntheticFraud.generate(4000, 11, START);
        rows = SyntheticFraud.generate(600, 12, START.plusSeconds(60L * 4000));
        dir = java.nio.file.Files.createTempDirectory("vigil-explain");
        ModelTrainer.train(training.rows(), training.labels(), training.times(),
                TrainingOptions.defaults().withVersion("explain-1").withCreatedAt(START)).writeTo(dir);
        model = XgboostRiskModel.load(dir);
    }

    @AfterContainer
    static void close() {
        if (model != null) model.close();
    }

    /** For every row, the SHAP values of all features plus the bias add up to the margin XGBoost predicts. */
    @Property(tries = 30)
    void contributionsAndBiasSumToTheMargin(@ForAll @IntRange(min = 0, max = 599) int from,
                                            @ForAll @IntRange(min = 1, max = 40) int count) {
        List<Features> batch = rows.rows().subList(from, Math.min(600, from + count));
        int cols = Features.NAMES.size();
        float[] flat = new float[batch.size() * cols];
        for (int i = 0; i < batch.size(); i++) System.arraycopy(batch.get(i).toModelVector(), 0, flat, i * cols, cols);
        float[][] contrib = model.contributions(flat, batch.size());
        float[] margins = model.margins(flat, batch.size());
        float[] p = model.predict(flat, batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertEquals(cols + 1, contrib[i].length, "one value per feature and the bias");
            double sum = 0;
            for (float c : contrib[i]) sum += c;
            assertEquals(margins[i], sum, 1e-4, "row " + i);
            // The margin is the log-odds of the probability the model scores with.
            assertEquals(p[i], 1 / (1 + Math.exp(-sum)), 1e-5, "row " + i);
        }
    }

    /** The top five are the five largest by absolute size, largest first, with the value the model saw. */
    @Property(tries = 30)
    void topFiveAreTheLargestByAbsoluteSizeInOrder(@ForAll @IntRange(min = 0, max = 599) int row) {
        Features f = rows.rows().get(row);
        float[] x = f.toModelVector();
        float[] all = model.contributions(x, 1)[0];
        List<Contribution> top = model.explainAll(List.of(f), 5).get(0);
        assertEquals(5, top.size());
        // Reference: every feature's |SHAP| sorted descending; the top five sizes must match it.
        Integer[] order = IntStream.range(0, Features.NAMES.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(j -> -Math.abs(all[j])));
        for (int k = 0; k < 5; k++) {
            Contribution c = top.get(k);
            int j = Features.NAMES.indexOf(c.feature());
            assertEquals(all[j], c.contribution(), 0, c.feature());
            assertEquals(x[j], c.value(), 0, c.feature());
            assertEquals(Math.abs(all[order[k]]), Math.abs(c.contribution()), 0, "rank " + k);
            if (k > 0) assertTrue(Math.abs(top.get(k - 1).contribution()) >= Math.abs(c.contribution()));
        }
        assertEquals(5, top.stream().map(Contribution::feature).distinct().count());
    }

    @Example
    void shouldExplainABatchRowByRowAsItExplainsEachRowAlone() {
        List<Features> batch = rows.rows().subList(0, 50);
        List<List<Contribution>> together = model.explainAll(batch, 5);
        for (int i = 0; i < batch.size(); i++) {
            List<Contribution> alone = model.explainAll(List.of(batch.get(i)), 5).get(0);
            for (int k = 0; k < 5; k++) {
                assertEquals(alone.get(k).feature(), together.get(i).get(k).feature());
                assertEquals(alone.get(k).contribution(), together.get(i).get(k).contribution(), 1e-6);
            }
        }
    }
}
