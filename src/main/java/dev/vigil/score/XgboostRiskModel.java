package dev.vigil.score;

import dev.vigil.feature.Features;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XGBoost risk model read from a model directory ({@code model.json} and the booster file it names).
 * Safe for many threads: each call borrows a booster of its own from a pool that grows to the peak
 * number of concurrent callers, so no call waits on another's prediction.
 *
 * <p>Scoring uses {@code inplace_predict} on a dense float array: no DMatrix is built per call. Each
 * booster predicts on one thread ({@code nthread=1}): the callers are the parallelism, and OpenMP
 * threads inside each call only fight them for the cores (on this 2-core machine at load average 13,
 * a run at the default thread count stalled at over 30 ms a one-row call).
 *
 * <p>Measured here after warm-up (2 cores shared with other builds, so read as upper bounds): a
 * depth-4 model of 6 to 33 trees costs 125 to 270 µs for one row and 1 to 2 µs a row in batches of 500. The
 * one-row cost is the fixed per-call overhead, not tree work: score in micro-batches where latency allows.
 */
public final class XgboostRiskModel implements RiskModel {

    private static final Logger LOG = LoggerFactory.getLogger(XgboostRiskModel.class);
    private static final int[] ALL_TREES = {0, 0};

    private final ModelCard card;
    private final byte[] boosterBytes;
    private final ConcurrentLinkedDeque<Booster> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    private XgboostRiskModel(ModelCard card, byte[] boosterBytes, Booster first) {
        this.card = card;
        this.boosterBytes = boosterBytes;
        idle.push(first);
    }

    /**
     * Reads a model directory.
     *
     * @throws ModelException {@code BAD_CARD} when {@code model.json} is missing or unreadable;
     *     {@code FEATURE_MISMATCH} when its ordered feature list is not {@link Features#NAMES};
     *     {@code BAD_BOOSTER} when the booster file is missing, differs from the card's hash, or does not load
     */
    public static XgboostRiskModel load(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        Path cardFile = modelDir.resolve(ModelCard.FILE_NAME);
        ModelCard card;
        try {
            card = CardJson.MAPPER.readValue(Files.readAllBytes(cardFile), ModelCard.class);
        } catch (NoSuchFileException e) {
            throw new ModelException(ModelException.Code.BAD_CARD, "no model card at " + cardFile, e);
        } catch (IOException | RuntimeException e) {
            throw new ModelException(ModelException.Code.BAD_CARD, "cannot read model card " + cardFile + ": " + e.getMessage(), e);
        }
        if (!ModelCard.FORMAT.equals(card.format())) {
            throw new ModelException(ModelException.Code.BAD_CARD, cardFile + " has format '" + card.format()
                    + "'; this build reads '" + ModelCard.FORMAT + "'");
        }
        if (!ModelTrainer.OBJECTIVE.equals(card.objective())) {
            throw new ModelException(ModelException.Code.BAD_CARD, cardFile + " has objective '" + card.objective()
                    + "'; only " + ModelTrainer.OBJECTIVE + " outputs a probability");
        }
        checkFeatures(card.features(), cardFile);

        Path boosterFile = modelDir.resolve(card.boosterFile());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(boosterFile);
        } catch (IOException e) {
            throw new ModelException(ModelException.Code.BAD_BOOSTER, "cannot read booster " + boosterFile + ": " + e, e);
        }
        String sha = ModelTrainer.sha256Hex(bytes);
        if (!sha.equalsIgnoreCase(card.boosterSha256())) {
            throw new ModelException(ModelException.Code.BAD_BOOSTER, boosterFile + " has SHA-256 " + sha
                    + " but the card of model " + card.version() + " says " + card.boosterSha256());
        }
        Booster first = newBooster(bytes, boosterFile.toString());
        try {
            long boosterFeatures = first.getNumFeature();
            if (boosterFeatures != card.features().size()) {
                throw new ModelException(ModelException.Code.FEATURE_MISMATCH, boosterFile + " takes "
                        + boosterFeatures + " features; its card lists " + card.features().size());
            }
        } catch (XGBoostError e) {
            first.dispose();
            throw new ModelException(ModelException.Code.BAD_BOOSTER, "cannot inspect " + boosterFile + ": " + e.getMessage(), e);
        } catch (ModelException e) {
            first.dispose();
            throw e;
        }
        LOG.info("Loaded model {} from {} (validation AUC {}, REVIEW at p >= {})", card.version(), modelDir,
                card.validation().aucRoc(), card.thresholds().review().probability());
        return new XgboostRiskModel(card, bytes, first);
    }

    private static void checkFeatures(List<String> cardFeatures, Path cardFile) {
        // A model may use any of this build's features, in its own order: vector(card.features()) builds its rows.
        if (Features.NAMES.containsAll(cardFeatures) && Set.copyOf(cardFeatures).size() == cardFeatures.size()) return;
        List<String> unknown = cardFeatures.stream().filter(f -> !Features.NAMES.contains(f)).toList();
        String where = unknown.isEmpty() ? "the card names a feature twice" : "this build does not compute " + unknown;
        throw new ModelException(ModelException.Code.FEATURE_MISMATCH, "the model in " + cardFile
                + " was trained on other features than this build computes: " + where
                + ". Card: " + cardFeatures + "; Features.NAMES: " + Features.NAMES
                + ". Retrain the model with this build.");
    }

    private static Booster newBooster(byte[] bytes, String source) {
        try {
            Booster b = XGBoost.loadModel(bytes);
            // Callers supply the parallelism (one booster per concurrent caller); OpenMP threads inside
            // each call would only fight them for the cores.
            b.setParam("nthread", 1);
            return b;
        } catch (XGBoostError | IOException e) {
            throw new ModelException(ModelException.Code.BAD_BOOSTER, "cannot load booster " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelScore score(Features features) {
        Objects.requireNonNull(features, "features");
        return ModelScore.of(predict(features.vector(card.features()), 1)[0], card.version());
    }

    @Override
    public List<ModelScore> scoreAll(List<Features> features) {
        Objects.requireNonNull(features, "features");
        int n = features.size();
        if (n == 0) return List.of();
        int cols = card.features().size();
        float[] flat = new float[n * cols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(features.get(i).vector(card.features()), 0, flat, i * cols, cols);
        }
        float[] p = predict(flat, n);
        List<ModelScore> out = new ArrayList<>(n);
        for (float v : p) out.add(ModelScore.of(v, card.version()));
        return out;
    }

    /** The probability of fraud for each of {@code rows} rows of {@code flat}. */
    float[] predict(float[] flat, int rows) {
        Booster b = borrow();
        try {
            float[][] raw = b.inplace_predict(flat, rows, card.features().size(), Float.NaN, ALL_TREES);
            float[] p = new float[rows];
            for (int i = 0; i < rows; i++) p[i] = raw[i][0];
            return p;
        } catch (XGBoostError e) {
            throw new ModelException(ModelException.Code.XGBOOST_FAILURE,
                    "model " + card.version() + " failed to score " + rows + " rows: " + e.getMessage(), e);
        } finally {
            release(b);
        }
    }

    private Booster borrow() {
        if (closed) throw new ModelException(ModelException.Code.CLOSED, "model " + card.version() + " is closed");
        Booster b = idle.poll();
        return b != null ? b : newBooster(boosterBytes, "model " + card.version());
    }

    private void release(Booster b) {
        idle.push(b);
        // A booster returned after close() is drained here, so none outlives the model.
        if (closed) drain();
    }

    private void drain() {
        Booster b;
        while ((b = idle.poll()) != null) b.dispose();
    }

    @Override
    public String version() {
        return card.version();
    }

    /** The model card: training data, metrics and the REVIEW threshold. */
    public ModelCard card() {
        return card;
    }

    /** REVIEW when {@code probability >= reviewThreshold()}: the card's threshold for its false-positive budget. */
    public double reviewThreshold() {
        return card.thresholds().review().probability();
    }

    /** Boosters idle in the pool: after a burst, one per peak concurrent caller. */
    int idleBoosters() {
        return idle.size();
    }

    @Override
    public void close() {
        closed = true;
        drain();
    }
}
