package dev.vigil.score;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * An XGBoost booster's trees walked in Java: the probability of one row in a few microseconds, where one
 * XGBoost4J call costs hundreds (JNI and per-call set-up, not tree work). It computes what XGBoost 3.0's CPU
 * predictor computes, in the same float arithmetic, so the two agree bit for bit (see
 * {@code TreeWalkAgreementTest}):
 *
 * <ul>
 *   <li>a value is missing when it is NaN (the missing value XGBoost4J is called with here), and then takes the
 *       node's default child; otherwise it goes left when {@code value < split condition} (float compare), else
 *       to the right child, which XGBoost takes to be {@code left + 1} ({@code GetNextNode} in
 *       {@code predict_fn.h}); infinities and -0.0 compare as floats do;</li>
 *   <li>the margin starts at the base score in margin space and adds each tree's leaf value in tree order, in
 *       float ({@code PredictByAllTrees}: {@code out_predt(row, group) += leaf});</li>
 *   <li>the probability is XGBoost's float sigmoid of that margin ({@link XgboostSigmoid}).</li>
 * </ul>
 *
 * <p>Only what this covers is accepted; anything else ({@code gbtree} is the only booster, no categorical
 * splits, one output, objective {@code binary:logistic}, right child next to the left one) is refused with a
 * reason by {@link #fromJson}, and the model scores with XGBoost4J alone. Immutable, so safe for many threads.
 */
final class TreeWalk {

    /** Why a booster cannot be walked here; the model then scores with XGBoost4J. */
    static final class Unsupported extends Exception {
        Unsupported(String reason) {
            super(reason);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            // Exact decimals, so each float is parsed once from XGBoost's own digits (no double in between).
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** Node index of each tree's root, in the order XGBoost sums them. */
    private final int[] roots;
    /** Per node: the feature it splits on, or -1 for a leaf. */
    private final int[] feature;
    /** Per node: the split condition, or the leaf value (XGBoost keeps both in one field too). */
    private final float[] value;
    /** Per node: the left child; the right child is {@code left + 1}. */
    private final int[] left;
    /** Per node: the child a missing value goes to. */
    private final int[] missing;
    private final int features;
    private final float baseMargin;

    private TreeWalk(int[] roots, int[] feature, float[] value, int[] left, int[] missing, int features,
                     float baseMargin) {
        this.roots = roots;
        this.feature = feature;
        this.value = value;
        this.left = left;
        this.missing = missing;
        this.features = features;
        this.baseMargin = baseMargin;
    }

    /**
     * Reads the trees of a booster saved as JSON ({@code Booster.toByteArray("json")}).
     *
     * @param baseMargin the base score in margin space, as the native library computed it ({@link #of} asks it)
     * @throws Unsupported naming what this walk does not implement
     */
    static TreeWalk fromJson(byte[] json, float baseMargin) throws Unsupported {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new Unsupported("the booster's JSON does not parse: " + e.getMessage());
        }
        JsonNode learner = root.path("learner");
        String objective = learner.path("objective").path("name").asText();
        if (!"binary:logistic".equals(objective)) {
            throw new Unsupported("objective '" + objective + "' (the walk implements binary:logistic)");
        }
        JsonNode booster = learner.path("gradient_booster");
        String boosterName = booster.path("name").asText();
        if (!"gbtree".equals(boosterName)) {
            throw new Unsupported("booster '" + boosterName + "' (the walk implements gbtree)");
        }
        JsonNode param = learner.path("learner_model_param");
        int features = Integer.parseInt(param.path("num_feature").asText("-1"));
        if (features <= 0) throw new Unsupported("num_feature " + param.path("num_feature"));
        String numClass = param.path("num_class").asText("0");
        String numTarget = param.path("num_target").asText("1");
        if (!"0".equals(numClass) || !"1".equals(numTarget)) {
            throw new Unsupported("num_class " + numClass + ", num_target " + numTarget + " (the walk implements one output)");
        }
        JsonNode model = booster.path("model");
        JsonNode trees = model.path("trees");
        if (!trees.isArray()) throw new Unsupported("no tree array in the booster's JSON");
        JsonNode treeInfo = model.path("tree_info");
        String parallel = model.path("gbtree_model_param").path("num_parallel_tree").asText("1");
        if (!"1".equals(parallel)) throw new Unsupported("num_parallel_tree " + parallel);

        int nodes = 0;
        for (JsonNode t : trees) nodes += t.path("left_children").size();
        int[] roots = new int[trees.size()];
        int[] feature = new int[nodes];
        float[] value = new float[nodes];
        int[] left = new int[nodes];
        int[] missing = new int[nodes];
        int base = 0;
        for (int i = 0; i < trees.size(); i++) {
            JsonNode t = trees.get(i);
            if (t.path("id").asInt(-1) != i) throw new Unsupported("tree " + i + " has id " + t.path("id"));
            if (treeInfo.isArray() && treeInfo.size() > i && treeInfo.get(i).asInt() != 0) {
                throw new Unsupported("tree " + i + " belongs to output group " + treeInfo.get(i) + " (the walk implements one)");
            }
            String leafVector = t.path("tree_param").path("size_leaf_vector").asText("1");
            if (!"1".equals(leafVector) && !"0".equals(leafVector)) {
                throw new Unsupported("tree " + i + " has vector leaves (size_leaf_vector " + leafVector + ")");
            }
            for (JsonNode splitType : t.path("split_type")) {
                if (splitType.asInt() != 0) throw new Unsupported("tree " + i + " has a categorical split");
            }
            JsonNode lefts = t.path("left_children");
            JsonNode rights = t.path("right_children");
            JsonNode indices = t.path("split_indices");
            JsonNode conditions = t.path("split_conditions");
            JsonNode defaultLeft = t.path("default_left");
            int n = lefts.size();
            if (n == 0 || rights.size() != n || indices.size() != n || conditions.size() != n || defaultLeft.size() != n) {
                throw new Unsupported("tree " + i + " has node arrays of different lengths");
            }
            roots[i] = base;
            // Only the nodes reachable from the root are checked and kept: pruning leaves deleted nodes behind.
            ArrayDeque<Integer> pending = new ArrayDeque<>();
            pending.push(0);
            boolean[] seen = new boolean[n];
            while (!pending.isEmpty()) {
                int j = pending.pop();
                if (seen[j]) throw new Unsupported("tree " + i + " reaches node " + j + " twice");
                seen[j] = true;
                int at = base + j;
                int l = lefts.get(j).asInt();
                value[at] = parseFloat(conditions.get(j), i, j);
                if (l == -1) {
                    feature[at] = -1;
                    continue;
                }
                int r = rights.get(j).asInt();
                int f = indices.get(j).asInt();
                if (l <= j || l + 1 >= n || r != l + 1) {
                    throw new Unsupported("tree " + i + " node " + j + " has children " + l + " and " + r
                            + " (XGBoost's predictor takes the right child to be left + 1)");
                }
                if (f < 0 || f >= features) throw new Unsupported("tree " + i + " node " + j + " splits on feature " + f);
                feature[at] = f;
                left[at] = base + l;
                missing[at] = base + (isTrue(defaultLeft.get(j)) ? l : r);
                pending.push(r);
                pending.push(l);
            }
            for (int j = 0; j < n; j++) {
                if (!seen[j]) feature[base + j] = -1; // unreachable: never walked
            }
            base += n;
        }
        return new TreeWalk(roots, feature, value, left, missing, features, baseMargin);
    }

    /** XGBoost's iteration range [1, 1) selects no tree: the prediction is the base margin alone. */
    private static final int[] NO_TREES = {1, 1};

    /**
     * The walk of a loaded booster: its trees from its own JSON, and the base score in margin space asked of the
     * native library itself (its {@code logf} of the card's probability, which Java does not reproduce). The
     * native sigmoid is checked against {@link XgboostSigmoid} on {@link #sigmoidProbes()} first.
     *
     * @throws Unsupported when the booster is not one the walk implements, or the native sigmoid differs
     */
    static TreeWalk of(Booster booster) throws Unsupported {
        try {
            // What the walk does not implement is refused before the native library is asked anything.
            TreeWalk trees = fromJson(booster.toByteArray("json"), 0f);
            int cols = Math.toIntExact(booster.getNumFeature());
            if (cols != trees.features) throw new Unsupported("the booster takes " + cols + " features, its JSON says " + trees.features);
            checkSigmoid(booster, cols);
            float base = noTreePredictions(booster, cols, Booster.PredictionType.kMargin, null)[0];
            return new TreeWalk(trees.roots, trees.feature, trees.value, trees.left, trees.missing, cols, base);
        } catch (XGBoostError e) {
            throw new Unsupported("XGBoost failed while the walk was prepared: " + e.getMessage());
        }
    }

    /** XGBoost's own probability for each margin: a prediction through no tree from that base margin. */
    static float[] nativeSigmoid(Booster booster, int cols, float[] margins) throws XGBoostError {
        return noTreePredictions(booster, cols, Booster.PredictionType.kValue, margins);
    }

    private static float[] noTreePredictions(Booster booster, int cols, Booster.PredictionType type, float[] baseMargins)
            throws XGBoostError {
        int n = baseMargins == null ? 1 : baseMargins.length;
        float[] rows = new float[n * cols];
        Arrays.fill(rows, Float.NaN);
        float[][] out = booster.inplace_predict(rows, n, cols, Float.NaN, NO_TREES, type, baseMargins);
        float[] flat = new float[n];
        for (int i = 0; i < n; i++) flat[i] = out[i][0];
        return flat;
    }

    private static void checkSigmoid(Booster booster, int cols) throws XGBoostError, Unsupported {
        float[] margins = sigmoidProbes();
        float[] expected = nativeSigmoid(booster, cols, margins);
        for (int i = 0; i < margins.length; i++) {
            float mine = XgboostSigmoid.sigmoid(margins[i]);
            if (Float.floatToRawIntBits(mine) != Float.floatToRawIntBits(expected[i])) {
                throw new Unsupported("the native sigmoid differs from glibc's: for margin " + hex(margins[i])
                        + " XGBoost gives " + hex(expected[i]) + ", the walk " + hex(mine) + " (another libm's expf?)");
            }
        }
    }

    /** The edges of the sigmoid, and 4096 margins spread over the range a model's scores fall in. */
    static float[] sigmoidProbes() {
        SplittableRandom random = new SplittableRandom(20261124L);
        float[] edges = {0.0f, -0.0f, 88.7f, -88.7f, Math.nextUp(88.7f), Math.nextDown(-88.7f), 89f, -89f, 100f, -100f,
                1e-8f, -1e-8f, 17f, -17f, Float.MIN_VALUE, -Float.MIN_VALUE};
        int randomCount = 4096;
        float[] out = Arrays.copyOf(edges, edges.length + randomCount);
        for (int i = edges.length; i < out.length; i++) out[i] = (float) (random.nextDouble() * 60 - 30);
        return out;
    }

    /**
     * The first row of {@code rows} on which this walk and XGBoost4J give different probabilities, described; empty
     * when they agree on every row, bit for bit.
     */
    Optional<String> firstDisagreement(Booster booster, float[] rows) throws XGBoostError {
        int n = rows.length / features;
        float[][] expected = booster.inplace_predict(rows, n, features, Float.NaN, XgboostRiskModel.ALL_TREES);
        for (int i = 0; i < n; i++) {
            float mine = probability(rows, i * features);
            if (Float.floatToRawIntBits(mine) != Float.floatToRawIntBits(expected[i][0])) {
                return Optional.of("row " + i + " " + Arrays.toString(Arrays.copyOfRange(rows, i * features, (i + 1) * features))
                        + ": the walk gives " + hex(mine) + " (margin " + hex(margin(rows, i * features)) + "), XGBoost4J "
                        + hex(expected[i][0]));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code n} rows made to test a walk against XGBoost: each value is NaN, one of the feature's split conditions
     * exactly, the float just below or above one, a signed zero, or a value between the feature's smallest and
     * largest condition.
     */
    float[] probeRows(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Float>> conditions = conditionsByFeature();
        float[] rows = new float[n * features];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < features; f++) {
                rows[i * features + f] = probeValue(random, conditions.get(f));
            }
        }
        return rows;
    }

    private static float probeValue(SplittableRandom random, List<Float> conditions) {
        int pick = random.nextInt(100);
        if (pick < 10) return Float.NaN;
        if (pick < 14) return random.nextBoolean() ? 0.0f : -0.0f;
        if (conditions.isEmpty()) return (float) (random.nextGaussian() * 100);
        float c = conditions.get(random.nextInt(conditions.size()));
        if (pick < 44) return c;
        if (pick < 57) return Math.nextDown(c);
        if (pick < 70) return Math.nextUp(c);
        float lo = c;
        float hi = c;
        for (float v : conditions) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float span = hi - lo;
        return (float) (lo - 0.1 * span + random.nextDouble() * 1.2 * span);
    }

    private static String hex(float f) {
        return f + " (0x" + Integer.toHexString(Float.floatToRawIntBits(f)) + ")";
    }

    private static float parseFloat(JsonNode number, int tree, int node) throws Unsupported {
        if (number == null || !number.isNumber()) {
            throw new Unsupported("tree " + tree + " node " + node + " has split condition " + number);
        }
        // The decimal XGBoost wrote, parsed straight to the nearest float.
        return Float.parseFloat(number.decimalValue().toString());
    }

    private static boolean isTrue(JsonNode flag) {
        return flag.isBoolean() ? flag.booleanValue() : flag.asInt() != 0;
    }

    /** The margin (log-odds) of the row at {@code offset} in {@code rows}. */
    float margin(float[] rows, int offset) {
        float sum = baseMargin;
        for (int root : roots) {
            int n = root;
            int f;
            while ((f = feature[n]) >= 0) {
                float v = rows[offset + f];
                n = v != v ? missing[n] : v < value[n] ? left[n] : left[n] + 1;
            }
            sum += value[n];
        }
        return sum;
    }

    /** The probability of fraud of the row at {@code offset} in {@code rows}: XGBoost's sigmoid of its margin. */
    float probability(float[] rows, int offset) {
        return XgboostSigmoid.sigmoid(margin(rows, offset));
    }

    int trees() {
        return roots.length;
    }

    int features() {
        return features;
    }

    float baseMargin() {
        return baseMargin;
    }

    /** Every split condition of each feature (one list per feature, with repeats): values a probe row should hit. */
    List<List<Float>> conditionsByFeature() {
        List<List<Float>> out = new ArrayList<>(features);
        for (int f = 0; f < features; f++) out.add(new ArrayList<>());
        for (int n = 0; n < feature.length; n++) {
            if (feature[n] >= 0) out.get(feature[n]).add(value[n]);
        }
        return out;
    }
}
