package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.vigil.feature.Features;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTrainerTest {

    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    static Path tmp;

    static SyntheticFraud.Data training;
    static SyntheticFraud.Data holdout;
    static TrainedModel trained;
    static Path modelDir;
    static XgboostRiskModel model;

    @BeforeAll
    static void trainOnce() {
        training = SyntheticFraud.generate(6000, 1, START);
        // Fresh rows, later in time, from another seed: never seen in training or validation.
        holdout = SyntheticFraud.generate(4000, 2, START.plusSeconds(60L * 6000));
        trained = ModelTrainer.train(training.rows(), training.labels(), training.times(),
                TrainingOptions.defaults().withVersion("demo-2026.11.23-1").withCreatedAt(CREATED));
        modelDir = tmp.resolve("model");
        trained.writeTo(modelDir);
        model = XgboostRiskModel.load(modelDir);
    }

    @AfterAll
    static void closeModel() {
        if (model != null) model.close();
    }

    @Test
    void shouldRankFreshHoldoutFraudAboveLegitimate() {
        double auc = holdoutAuc(model);
        assertTrue(auc > 0.8, "holdout AUC " + auc);
    }

    // The control that lets the test above fail: the same pipeline on labels with no relation to the
    // features must rank the holdout near chance. Near, not at: a model fitted to noise is still some
    // function of the features, and on a holdout with strong real structure it can lean either way by
    // chance (0.57 with these seeds), beyond the ±0.02 that sampling alone would give.
    @Test
    void shouldRankNoBetterThanChanceWhenTrainedOnShuffledLabels() {
        List<Boolean> shuffled = new ArrayList<>(training.labels());
        Collections.shuffle(shuffled, new Random(7));
        TrainedModel noise = ModelTrainer.train(training.rows(), shuffled, training.times(),
                TrainingOptions.defaults().withVersion("noise").withCreatedAt(CREATED));
        Path dir = tmp.resolve("noise");
        noise.writeTo(dir);
        try (XgboostRiskModel m = XgboostRiskModel.load(dir)) {
            double auc = holdoutAuc(m);
            assertTrue(Math.abs(auc - 0.5) < 0.1, "holdout AUC on shuffled labels " + auc);
        }
    }

    @Test
    void shouldGiveIdenticalProbabilitiesScoringOneByOneOrInABatch() {
        List<Features> rows = holdout.rows().subList(0, 500);
        List<ModelScore> batch = model.scoreAll(rows);
        assertEquals(500, batch.size());
        for (int i = 0; i < rows.size(); i++) {
            ModelScore single = model.score(rows.get(i));
            assertEquals(single, batch.get(i), "row " + i);
            assertEquals("demo-2026.11.23-1", single.modelVersion());
        }
        assertEquals(List.of(), model.scoreAll(List.of()));
    }

    // The probability must be XGBoost's own binary:logistic output: the classic DMatrix predict on a
    // booster read straight from the file is the reference.
    @Test
    void shouldOutputTheBoostersLogisticProbability() throws Exception {
        List<Features> rows = holdout.rows().subList(0, 300);
        float[] flat = new float[rows.size() * Features.NAMES.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).toModelVector(), 0, flat, i * Features.NAMES.size(), Features.NAMES.size());
        }
        Booster reference = XGBoost.loadModel(modelDir.resolve("model.ubj").toString());
        DMatrix matrix = new DMatrix(flat, rows.size(), Features.NAMES.size(), Float.NaN);
        try {
            float[][] expected = reference.predict(matrix);
            float[][] margins = reference.predict(matrix, true);
            List<ModelScore> scores = model.scoreAll(rows);
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(expected[i][0], scores.get(i).probability(), 1e-7, "row " + i);
                assertEquals(1 / (1 + Math.exp(-margins[i][0])), scores.get(i).probability(), 1e-6, "row " + i);
            }
            assertEquals(trained.card().rounds().bestIteration() + 1, reference.getNumBoostedRound());
        } finally {
            matrix.dispose();
            reference.dispose();
        }
    }

    @Test
    void shouldAgreeWithSingleThreadedScoringWhenFourThreadsScoreAtOnce() throws Exception {
        List<Features> rows = holdout.rows().subList(0, 1000);
        List<ModelScore> expected = model.scoreAll(rows);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<List<ModelScore>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int batchSize = 1 + t * 7; // 1, 8, 15, 22: single rows and batches interleave
                Callable<List<ModelScore>> job = () -> {
                    go.await();
                    List<ModelScore> out = new ArrayList<>();
                    for (int repeat = 0; repeat < 3; repeat++) {
                        out.clear();
                        for (int from = 0; from < rows.size(); from += batchSize) {
                            List<Features> part = rows.subList(from, Math.min(rows.size(), from + batchSize));
                            if (part.size() == 1) out.add(model.score(part.get(0)));
                            else out.addAll(model.scoreAll(part));
                        }
                    }
                    return out;
                };
                results.add(pool.submit(job));
            }
            go.countDown();
            for (Future<List<ModelScore>> f : results) assertEquals(expected, f.get());
        } finally {
            pool.shutdownNow();
        }
        assertTrue(model.idleBoosters() <= threads + 1, model.idleBoosters() + " boosters idle");
    }

    @Test
    void shouldRejectACardNamingAFeatureThisBuildDoesNotCompute() throws Exception {
        Path dir = copyOfModel("unknown");
        editFeatures(dir, features -> features.set(0, TextNode.valueOf("tx_count_1fortnight")));
        ModelException e = assertThrows(ModelException.class, () -> XgboostRiskModel.load(dir));
        assertEquals(ModelException.Code.FEATURE_MISMATCH, e.code());
        assertTrue(e.getMessage().contains("'tx_count_1fortnight'"), e.getMessage());
    }

    // Boosters of this build keep their column names: a card reordered after training is refused.
    @Test
    void shouldRejectACardWhoseFeatureOrderDiffersFromTheBoosters() throws Exception {
        Path dir = copyOfModel("swapped");
        editFeatures(dir, features -> {
            String first = features.get(0).asText();
            features.set(0, features.get(1));
            features.set(1, TextNode.valueOf(first));
        });
        ModelException e = assertThrows(ModelException.class, () -> XgboostRiskModel.load(dir));
        assertEquals(ModelException.Code.FEATURE_MISMATCH, e.code());
        assertTrue(e.getMessage().contains("was trained on the columns"), e.getMessage());
    }

    @Test
    void shouldRejectACardMissingAFeature() throws Exception {
        Path dir = copyOfModel("shorter");
        editFeatures(dir, features -> features.remove(features.size() - 1));
        ModelException e = assertThrows(ModelException.class, () -> XgboostRiskModel.load(dir));
        assertEquals(ModelException.Code.FEATURE_MISMATCH, e.code());
        assertTrue(e.getMessage().contains("features; the card of model demo-2026.11.23-1 lists"), e.getMessage());
    }

    // A model may read a selection of the features, in its own order: the loader builds its rows by name.
    @Test
    void shouldScoreAModelTrainedOnASelectionOfFeaturesInItsOwnOrder() {
        List<String> some = List.of("new_device", "tx_count_1m", "account_age_days");
        TrainedModel small = ModelTrainer.train(TrainingRows.of(some, training.rows(), training.labels(), training.times()),
                TrainingOptions.defaults().withVersion("small").withCreatedAt(CREATED));
        Path dir = tmp.resolve("small");
        small.writeTo(dir);
        try (XgboostRiskModel m = XgboostRiskModel.load(dir)) {
            assertEquals(some, m.card().features());
            assertTrue(holdoutAuc(m) > 0.8, "the three features that drive the synthetic fraud rank it");
            Features row = holdout.rows().get(0);
            assertEquals(m.predict(row.vector(Features.positions(some)), 1)[0], m.score(row).probability(), 0);
            assertEquals(some.size(), m.explainAll(List.of(row), 5).get(0).size(), "no more contributions than features");
        }
    }

    @Test
    void shouldRejectABoosterFileThatIsNotTheOneTheCardDescribes() throws Exception {
        Path dir = copyOfModel("tampered");
        byte[] bytes = Files.readAllBytes(dir.resolve("model.ubj"));
        bytes[bytes.length / 2] ^= 1;
        Files.write(dir.resolve("model.ubj"), bytes);
        ModelException e = assertThrows(ModelException.class, () -> XgboostRiskModel.load(dir));
        assertEquals(ModelException.Code.BAD_BOOSTER, e.code());
    }

    @Test
    void shouldRejectADirectoryWithoutACard() {
        ModelException e = assertThrows(ModelException.class, () -> XgboostRiskModel.load(tmp.resolve("nothing-here")));
        assertEquals(ModelException.Code.BAD_CARD, e.code());
    }

    @Test
    void shouldDescribeTheTrainingDataOnTheCard() {
        ModelCard card = model.card();
        assertEquals(trained.card(), card, "the card read back equals the card written");
        assertEquals("demo-2026.11.23-1", model.version());
        assertEquals(CREATED, card.createdAt());
        assertEquals(Features.NAMES, card.features());
        assertEquals(6000, card.trainingData().rows());
        assertEquals(training.frauds(), card.trainingData().fraudRows());
        assertEquals(4800, card.trainingData().trainRows());
        assertEquals(1200, card.trainingData().validationRows());
        // Rows are one minute apart from START, handed to the trainer shuffled.
        assertEquals(START, card.trainingData().firstEventTime());
        assertEquals(START.plusSeconds(60L * 5999), card.trainingData().lastEventTime());
        assertEquals(START.plusSeconds(60L * 4800), card.trainingData().validationFrom());
        assertEquals(referenceDataSha256(training), card.trainingData().sha256());
        assertEquals(4, card.parameters().get("max_depth"));
        assertEquals("binary:logistic", card.parameters().get("objective"));
        // Stopped 20 rounds after the best, and kept the best round's booster.
        assertEquals("logloss", card.rounds().stoppingMetric());
        assertEquals(card.rounds().bestIteration() + 1 + 20, card.rounds().trained());
        assertEquals(card.rounds().bestStoppingMetricValue(), card.validation().logLoss(), 1e-5);
    }

    // The card's validation figures must be those of the kept booster on the latest 20% of rows.
    @Test
    void shouldRecordValidationMetricsAndThresholdOfTheKeptBooster() {
        List<Integer> byTime = IntStream.range(0, training.size()).boxed()
                .sorted(Comparator.comparing(training.times()::get)).toList();
        List<Integer> validation = byTime.subList(4800, 6000);
        List<ModelScore> scores = model.scoreAll(validation.stream().map(training.rows()::get).toList());
        double[] p = scores.stream().mapToDouble(ModelScore::probability).toArray();
        boolean[] y = new boolean[p.length];
        for (int i = 0; i < y.length; i++) y[i] = training.labels().get(validation.get(i));

        ModelCard card = model.card();
        assertEquals(Metrics.aucRoc(p, y), card.validation().aucRoc(), 1e-12);
        assertEquals(Metrics.averagePrecision(p, y), card.validation().averagePrecision(), 1e-12);
        ModelCard.ReviewThreshold review = card.thresholds().review();
        assertEquals(0.01, review.falsePositiveBudget());
        assertTrue(review.validationFalsePositiveRate() <= 0.01, "FP rate " + review.validationFalsePositiveRate());
        assertEquals(Metrics.rateAtOrAbove(p, y, false, review.probability()), review.validationFalsePositiveRate(), 1e-12);
        assertEquals(Metrics.rateAtOrAbove(p, y, true, review.probability()), review.validationRecall(), 1e-12);
        assertTrue(review.validationRecall() > 0.1, "recall at 1% FP " + review.validationRecall());
    }

    @Test
    void shouldChangeTheDataHashWhenOneLabelChanges() {
        Integer[] order = IntStream.range(0, training.size()).boxed().toArray(Integer[]::new);
        List<Boolean> flipped = new ArrayList<>(training.labels());
        flipped.set(17, !flipped.get(17));
        assertTrue(!ModelTrainer.dataSha256(training.rows(), training.labels(), order)
                .equals(ModelTrainer.dataSha256(training.rows(), flipped, order)));
    }

    @Test
    void shouldRefuseToTrainWhenTheValidationWindowHasNoFraud() {
        // Every fraud is before the last 20% in time.
        List<Boolean> early = IntStream.range(0, training.size())
                .mapToObj(i -> training.times().get(i).isBefore(START.plusSeconds(60L * 3000)) && training.labels().get(i))
                .toList();
        ModelException e = assertThrows(ModelException.class,
                () -> ModelTrainer.train(training.rows(), early, training.times(), TrainingOptions.defaults()));
        assertEquals(ModelException.Code.BAD_TRAINING_DATA, e.code());
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
    }

    @Test
    void shouldRefuseListsOfDifferentLengths() {
        ModelException e = assertThrows(ModelException.class, () -> ModelTrainer.train(
                training.rows(), training.labels().subList(0, 10), training.times(), TrainingOptions.defaults()));
        assertEquals(ModelException.Code.BAD_TRAINING_DATA, e.code());
    }

    @Test
    void shouldRefuseToScoreAfterClose() {
        XgboostRiskModel m = XgboostRiskModel.load(modelDir);
        Features row = holdout.rows().get(0);
        assertEquals(model.score(row), m.score(row));
        m.close();
        ModelException e = assertThrows(ModelException.class, () -> m.score(row));
        assertEquals(ModelException.Code.CLOSED, e.code());
    }

    private static double holdoutAuc(RiskModel m) {
        double[] p = m.scoreAll(holdout.rows()).stream().mapToDouble(ModelScore::probability).toArray();
        boolean[] y = new boolean[p.length];
        for (int i = 0; i < y.length; i++) y[i] = holdout.labels().get(i);
        return Metrics.aucRoc(p, y);
    }

    /** The card's documented method, written out independently of the trainer. */
    private static String referenceDataSha256(SyntheticFraud.Data data) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<Integer> byTime = IntStream.range(0, data.size()).boxed()
                    .sorted(Comparator.comparing(data.times()::get)).toList();
            for (int i : byTime) {
                float[] v = data.rows().get(i).toModelVector();
                ByteBuffer b = ByteBuffer.allocate(v.length * 4 + 1);
                for (float f : v) b.putFloat(f);
                b.put((byte) (data.labels().get(i) ? 1 : 0));
                sha.update(b.array());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static Path copyOfModel(String name) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : List.of("model.json", "model.ubj")) Files.copy(modelDir.resolve(f), dir.resolve(f));
        return dir;
    }

    private static void editFeatures(Path dir, Consumer<ArrayNode> edit) throws Exception {
        Path card = dir.resolve("model.json");
        ObjectNode json = (ObjectNode) CardJson.MAPPER.readTree(card.toFile());
        edit.accept((ArrayNode) json.get("features"));
        CardJson.MAPPER.writeValue(card.toFile(), json);
    }
}
