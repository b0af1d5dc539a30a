package dev.vigil.score;

import dev.vigil.feature.Features;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XGBoost risk model read from a model directory ({@code model.json} and the booster file it names).
 * Safe for many threads: each XGBoost call borrows a booster of its own from a pool that grows to the peak
 * number of concurrent callers, so no call waits on another's prediction.
 *
 * <p>Two ways to score, with the same result to the bit. One row ({@link #score}, the HTTP path) and batches
 * under {@link #WALK_BELOW_ROWS} rows walk the booster's trees in Java ({@link TreeWalk}): no JNI call, 0.5 to 3
 * µs a row. Larger batches call XGBoost4J's {@code inplace_predict} on a dense float array (no DMatrix per
 * call), which costs about 100 µs a call whatever its size (JNI and per-call set-up, not tree work) and then
 * 1 to 3 µs a row. The walk is built when the model loads, from the booster's own JSON, and used only if it
 * agrees with XGBoost4J bit for bit on rows made to sit on and next to the split conditions; a model it does not
 * implement, or that fails that check, scores with XGBoost4J alone, and the log says which path each model
 * version takes. Explanations ({@link #explainAll}, exact SHAP) always use XGBoost4J.
 *
 * <p>Each booster predicts on one thread ({@code nthread=1}): the callers are the parallelism, and OpenMP
 * threads inside each call only fight them for the cores (on this 2-core machine at load average 13,
 * a run at the default thread count stalled at over 30 ms a one-row call).
 *
 * <p>Measured by {@code ScoringCostTest} (per row, wall time, 2 cores at load average 5 to 9, so read as
 * upper bounds): the shipped champion (183 trees, depth 4) walks in 1.3 µs a row at any batch size, against
 * 101 µs for one row, 3.3 µs a row in batches of 64 and 1.9 µs in batches of 500 through XGBoost4J; a
 * 137-tree depth-6 model walks in 3.0 µs, and XGBoost4J overtakes it from about 256 rows (2.4 to 2.8 µs).
 * Hence the crossover at 128 rows. Exact SHAP costs far more per row than scoring and grows with the trees;
 * see {@code models/README.md} for the figures.
 */
public final class XgboostRiskModel implements RiskModel {

    private static final Logger LOG = LoggerFactory.getLogger(XgboostRiskModel.class);
    /** XGBoost4J's iteration range for "every tree". */
    static final int[] ALL_TREES = {0, 0};
    /** Batches smaller than this are walked in Java, larger ones go to XGBoost4J (measured: see the class comment). */
    static final int WALK_BELOW_ROWS = 128;
    /** Rows made to sit on and next to the split conditions, on which a walk must agree with XGBoost4J to be used. */
    private static final int PROBE_ROWS = 512;
    private static final long PROBE_SEED = 7L;

    private final ModelCard card;
    private final int cols;
    /** Where each of the card's features is in the catalogue, looked up once. */
    private final int[] positions;
    private final byte[] boosterBytes;
    /** The trees walked in Java for one row and small batches; null when this model scores with XGBoost4J only. */
    private final TreeWalk walk;
    private final ConcurrentLinkedDeque<Booster> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    private XgboostRiskModel(ModelCard card, byte[] boosterBytes, Booster first, TreeWalk walk) {
        this.card = card;
        this.cols = card.features().size();
        this.positions = Features.positions(card.features());
        this.boosterBytes = boosterBytes;
        this.walk = walk;
        idle.push(first);
    }

    /**
     * Reads a model directory.
     *
     * @throws ModelException {@code BAD_CARD} when {@code model.json} is missing or unreadable;
     *     {@code FEATURE_MISMATCH} when its feature list names a feature not in {@link Features#NAMES}, or
     *     differs from the columns the booster was trained on;
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
                        + boosterFeatures + " features; the card of model " + card.version() + " lists "
                        + card.features().size() + ": " + card.features());
            }
            // Boosters trained by this build carry their column names: a card whose list was reordered
            // or renamed after training would feed every tree the wrong column, so it is refused.
            // A booster trained without names (the models of earlier builds) answers nulls or nothing.
            String[] named = first.getFeatureNames();
            boolean hasNames = named != null && named.length > 0 && Arrays.stream(named).allMatch(n -> n != null && !n.isEmpty());
            if (hasNames && !Arrays.asList(named).equals(card.features())) {
                throw new ModelException(ModelException.Code.FEATURE_MISMATCH, "the booster " + boosterFile
                        + " was trained on the columns " + Arrays.asList(named) + " but the card lists " + card.features());
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
        return new XgboostRiskModel(card, bytes, first, javaWalk(first, card.version()));
    }

    /**
     * The Java walk of the booster's trees, or null (logged with the reason) when the walk does not implement
     * this model, or does not agree with XGBoost4J bit for bit on {@link #PROBE_ROWS} rows made to sit on and
     * next to the trees' split conditions. Either way the model works; the log says which path it scores with.
     */
    private static TreeWalk javaWalk(Booster booster, String version) {
        TreeWalk walk;
        try {
            walk = TreeWalk.of(booster);
            Optional<String> disagreement = walk.firstDisagreement(booster, walk.probeRows(PROBE_ROWS, PROBE_SEED));
            if (disagreement.isPresent()) throw new TreeWalk.Unsupported("the walk disagrees with XGBoost4J on " + disagreement.get());
        } catch (TreeWalk.Unsupported | XGBoostError | RuntimeException e) {
            // Never a reason to refuse the model: XGBoost4J scores it as before, only slower for one row.
            LOG.warn("Model {} scores with XGBoost4J only (about 0.1 to 0.5 ms a call): the Java tree walk is refused: {}",
                    version, e.getMessage() == null ? e.toString() : e.getMessage());
            return null;
        }
        LOG.info("Model {} scores one row and batches under {} rows with the Java tree walk ({} trees,"
                        + " agrees with XGBoost4J on {} probe rows); larger batches and explanations with XGBoost4J",
                version, WALK_BELOW_ROWS, walk.trees(), PROBE_ROWS);
        return walk;
    }

    /**
     * A card may list any selection of {@link Features#NAMES} in its own order (a model need not read every
     * feature this build computes), but each name must be one this build computes, and only once.
     */
    private static void checkFeatures(List<String> cardFeatures, Path cardFile) {
        if (cardFeatures.isEmpty()) {
            throw new ModelException(ModelException.Code.FEATURE_MISMATCH, "the card " + cardFile + " lists no features");
        }
        Set<String> seen = new HashSet<>();
        for (String f : cardFeatures) {
            if (!Features.NAMES.contains(f)) {
                throw new ModelException(ModelException.Code.FEATURE_MISMATCH, "the model in " + cardFile
                        + " reads feature '" + f + "', which this build does not compute. Features.NAMES: "
                        + Features.NAMES + ". Retrain the model with this build.");
            }
            if (!seen.add(f)) {
                throw new ModelException(ModelException.Code.FEATURE_MISMATCH, "the card " + cardFile
                        + " lists feature '" + f + "' twice");
            }
        }
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
        float[] row = features.vector(positions);
        if (walk == null) return ModelScore.of(predict(row, 1)[0], card.version());
        checkOpen();
        return ModelScore.of(walk.probability(row, 0), card.version());
    }

    @Override
    public List<ModelScore> scoreAll(List<Features> features) {
        Objects.requireNonNull(features, "features");
        int n = features.size();
        if (n == 0) return List.of();
        float[] flat = flatten(features);
        float[] p = walk != null && n < WALK_BELOW_ROWS ? walk(flat, n) : predict(flat, n);
        List<ModelScore> out = new ArrayList<>(n);
        for (float v : p) out.add(ModelScore.of(v, card.version()));
        return out;
    }

    /** Whether one row and small batches are scored by the Java tree walk (else by XGBoost4J). */
    boolean walksTrees() {
        return walk != null;
    }

    /** The Java tree walk, or null when this model scores with XGBoost4J only. */
    TreeWalk treeWalk() {
        return walk;
    }

    /** The probability of fraud for each of {@code rows} rows of {@code flat}, by the Java tree walk. */
    float[] walk(float[] flat, int rows) {
        if (walk == null) throw new IllegalStateException("model " + card.version() + " has no Java tree walk");
        checkOpen();
        float[] p = new float[rows];
        for (int i = 0; i < rows; i++) p[i] = walk.probability(flat, i * cols);
        return p;
    }

    private void checkOpen() {
        if (closed) throw new ModelException(ModelException.Code.CLOSED, "model " + card.version() + " is closed");
    }

    /**
     * Exact SHAP values (XGBoost's TreeSHAP, {@code predictContrib}) for each row, the largest {@code top}
     * by absolute size, largest first; ties by the card's feature order. One XGBoost call for the batch.
     * Costly (see the class comment): call it only for the rows a person will read.
     */
    @Override
    public List<List<Contribution>> explainAll(List<Features> features, int top) {
        Objects.requireNonNull(features, "features");
        if (top < 0) throw new IllegalArgumentException("top " + top);
        int n = features.size();
        if (n == 0) return List.of();
        float[] flat = flatten(features);
        float[][] contrib = contributions(flat, n);
        List<List<Contribution>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(topContributions(flat, i, contrib[i], top));
        return out;
    }

    List<Contribution> topContributions(float[] flat, int row, float[] contrib, int top) {
        Integer[] order = new Integer[cols];
        for (int j = 0; j < cols; j++) order[j] = j;
        // Stable sort: equal sizes keep the card's order, so the explanation is deterministic.
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(contrib[b]), Math.abs(contrib[a])));
        List<Contribution> out = new ArrayList<>(Math.min(top, cols));
        for (int k = 0; k < Math.min(top, cols); k++) {
            int j = order[k];
            out.add(new Contribution(card.features().get(j), flat[row * cols + j], contrib[j]));
        }
        return out;
    }

    private float[] flatten(List<Features> features) {
        int n = features.size();
        float[] flat = new float[n * cols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(features.get(i).vector(positions), 0, flat, i * cols, cols);
        }
        return flat;
    }

    /** The probability of fraud for each of {@code rows} rows of {@code flat}, by XGBoost4J. */
    float[] predict(float[] flat, int rows) {
        Booster b = borrow();
        try {
            float[][] raw = b.inplace_predict(flat, rows, cols, Float.NaN, ALL_TREES);
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

    /** The margin (log-odds) for each row: what the SHAP values of a row and its bias add up to. */
    float[] margins(float[] flat, int rows) {
        Booster b = borrow();
        try {
            float[][] raw = b.inplace_predict(flat, rows, cols, Float.NaN, ALL_TREES, Booster.PredictionType.kMargin, null);
            float[] m = new float[rows];
            for (int i = 0; i < rows; i++) m[i] = raw[i][0];
            return m;
        } catch (XGBoostError e) {
            throw new ModelException(ModelException.Code.XGBOOST_FAILURE,
                    "model " + card.version() + " failed to compute margins: " + e.getMessage(), e);
        } finally {
            release(b);
        }
    }

    /**
     * All SHAP values per row: one column per card feature, then the bias (the expected margin) last.
     * predictContrib has no in-place form, so this one call builds a DMatrix.
     */
    float[][] contributions(float[] flat, int rows) {
        Booster b = borrow();
        DMatrix m = null;
        try {
            m = new DMatrix(flat, rows, cols, Float.NaN);
            return b.predictContrib(m, 0);
        } catch (XGBoostError e) {
            throw new ModelException(ModelException.Code.XGBOOST_FAILURE,
                    "model " + card.version() + " failed to explain " + rows + " rows: " + e.getMessage(), e);
        } finally {
            if (m != null) m.dispose();
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
