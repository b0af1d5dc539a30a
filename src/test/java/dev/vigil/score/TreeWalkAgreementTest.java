package dev.vigil.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The Java tree walk gives the probability XGBoost4J gives, bit for bit: on the shipped demo models (through
 * {@link XgboostRiskModel}, as the application scores), and on small models trained here on random data with
 * missing values, repeated values (so that split conditions are data values), signed zeros, several depths, tree
 * counts, tree methods and base scores. Rows are drawn to sit on the split conditions, one float either side of
 * them, NaN, ±0.0, ±infinity, the largest floats, and values in between.
 */
class TreeWalkAgreementTest {

    /** A booster and its walk, compared on a batch of rows. */
    record Case(String name, Booster booster, TreeWalk walk, float[] rows, int n) {
        @Override
        public String toString() {
            return name + " x " + n + " rows";
        }
    }

    /** One small model to train: the knobs a property case varies. */
    record Recipe(String name, int depth, int rounds, String treeMethod, Float baseScore, double missingShare, long seed) {}

    private static final List<Recipe> RECIPES = List.of(
            new Recipe("stumps", 1, 40, "hist", null, 0.2, 1),
            new Recipe("depth-2 exact, base 0.03", 2, 25, "exact", 0.03f, 0.1, 2),
            new Recipe("depth-3 approx, base 0.5", 3, 15, "approx", 0.5f, 0.3, 3),
            new Recipe("depth-4 hist, base 0.9", 4, 30, "hist", 0.9f, 0.0, 4),
            new Recipe("depth-6 hist, boosted from the average", 6, 60, "hist", null, 0.15, 5),
            new Recipe("depth-8 exact, one tree", 8, 1, "exact", 0.2f, 0.25, 6),
            new Recipe("depth-5 hist, base 0.001", 5, 12, "hist", 0.001f, 0.05, 7));

    private static final int FEATURES = 7;
    private static final Map<String, Case> TRAINED = new ConcurrentHashMap<>();
    private static final Map<String, XgboostRiskModel> SHIPPED = new ConcurrentHashMap<>();

    @AfterContainer
    static void dispose() {
        TRAINED.values().forEach(c -> c.booster().dispose());
        SHIPPED.values().forEach(XgboostRiskModel::close);
    }

    @Property(tries = 200)
    void shouldAgreeBitForBitWithXgboostOnTheShippedModels(@ForAll("shippedRows") ShippedCase c) {
        XgboostRiskModel model = c.model();
        assertTrue(model.walksTrees(), "the shipped model " + model.version() + " is walked in Java");
        float[] walked = model.walk(c.rows(), c.n());
        float[] native_ = model.predict(c.rows(), c.n());
        assertSameFloats(native_, walked, c.rows(), model.card().features().size());
    }

    @Property(tries = 400)
    void shouldAgreeBitForBitWithXgboostOnModelsTrainedOnRandomData(@ForAll("trainedRows") Case c) throws XGBoostError {
        float[][] expected = c.booster().inplace_predict(c.rows(), c.n(), FEATURES, Float.NaN, new int[] {0, 0});
        float[][] margins = c.booster().inplace_predict(c.rows(), c.n(), FEATURES, Float.NaN, new int[] {0, 0},
                Booster.PredictionType.kMargin, null);
        float[] walkedP = new float[c.n()];
        float[] walkedM = new float[c.n()];
        float[] nativeP = new float[c.n()];
        float[] nativeM = new float[c.n()];
        for (int i = 0; i < c.n(); i++) {
            walkedP[i] = c.walk().probability(c.rows(), i * FEATURES);
            walkedM[i] = c.walk().margin(c.rows(), i * FEATURES);
            nativeP[i] = expected[i][0];
            nativeM[i] = margins[i][0];
        }
        assertSameFloats(nativeM, walkedM, c.rows(), FEATURES);
        assertSameFloats(nativeP, walkedP, c.rows(), FEATURES);
    }

    @Example
    void shouldScoreOneRowOfTheShippedModelAsXgboostDoes() {
        XgboostRiskModel model = shipped(Path.of("models/vigil-demo/demo-2026.11.23-1356"));
        float[] row = new float[model.card().features().size()]; // all zero: a quiet account's first payment
        assertEquals(model.predict(row, 1)[0], model.walk(row, 1)[0]);
    }

    @Example
    void shouldScoreAVersionTheWalkRefusesWithXgboost4j() throws Exception {
        // A dart booster under the shipped champion's card: binary:logistic, so the model loads, but the walk
        // does not implement dart. The model still scores, one row included, through XGBoost4J.
        Path shippedDir = Path.of("models/vigil-demo/demo-2026.11.23-1356");
        com.fasterxml.jackson.databind.node.ObjectNode card = (com.fasterxml.jackson.databind.node.ObjectNode)
                CardJson.MAPPER.readTree(shippedDir.resolve(ModelCard.FILE_NAME).toFile());
        int cols = card.get("features").size();
        Random r = new Random(12);
        int n = 300;
        float[] x = new float[n * cols];
        float[] y = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4);
        for (int i = 0; i < n; i++) y[i] = x[i * cols] + x[i * cols + 1] > 3 ? 1 : 0;
        DMatrix train = new DMatrix(x, n, cols, Float.NaN);
        Booster dart;
        try {
            train.setLabel(y);
            dart = XGBoost.train(train, Map.of("objective", "binary:logistic", "booster", "dart", "max_depth", 2,
                    "nthread", 1, "verbosity", 0), 5, Map.of(), null, null);
        } finally {
            train.dispose();
        }
        Path dir = Files.createTempDirectory("dart-version");
        try {
            byte[] bytes = dart.toByteArray("ubj");
            Files.write(dir.resolve("model.ubj"), bytes);
            card.put("version", "dart-under-test");
            card.put("booster_sha256", ModelTrainer.sha256Hex(bytes));
            CardJson.MAPPER.writeValue(dir.resolve(ModelCard.FILE_NAME).toFile(), card);
            try (XgboostRiskModel model = XgboostRiskModel.load(dir)) {
                assertTrue(!model.walksTrees(), "the walk refuses dart");
                dev.vigil.feature.Features f = SyntheticFraud.generate(1, 3, java.time.Instant.EPOCH).rows().get(0);
                float[] row = f.vector(dev.vigil.feature.Features.positions(model.card().features()));
                float expected = dart.inplace_predict(row, 1, cols, Float.NaN, new int[] {0, 0})[0][0];
                assertEquals((double) expected, model.score(f).probability());
                assertEquals((double) expected, model.scoreAll(List.of(f, f)).get(1).probability());
            }
        } finally {
            dart.dispose();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Example
    void shouldRefuseAnObjectiveTheWalkDoesNotImplement() throws Exception {
        assertRefused(new Recipe("squared error", 2, 3, "hist", null, 0.1, 9), Map.of("objective", "reg:squarederror"),
                "reg:squarederror");
    }

    @Example
    void shouldRefuseDart() throws Exception {
        assertRefused(new Recipe("dart", 2, 3, "hist", null, 0.1, 10), Map.of("booster", "dart"), "dart");
    }

    /** A booster trained with these settings is refused by the walk, with a message naming {@code what}. */
    private static void assertRefused(Recipe recipe, Map<String, Object> params, String what) throws Exception {
        Booster booster = train(recipe, params);
        try {
            TreeWalk.Unsupported e = assertThrows(TreeWalk.Unsupported.class, () -> TreeWalk.of(booster));
            assertTrue(e.getMessage().contains(what), e.getMessage());
        } finally {
            booster.dispose();
        }
    }

    @Example
    void shouldRefuseACategoricalSplit() throws Exception {
        Booster booster = train(new Recipe("to edit", 2, 3, "hist", null, 0.1, 11), Map.of());
        try {
            String json = new String(booster.toByteArray("json"), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"split_type\":[0"), "the JSON has the field this edits");
            byte[] categorical = json.replaceFirst("\"split_type\":\\[0", "\"split_type\":[1").getBytes(StandardCharsets.UTF_8);
            TreeWalk.Unsupported e = assertThrows(TreeWalk.Unsupported.class,
                    () -> TreeWalk.fromJson(categorical, 0f));
            assertTrue(e.getMessage().contains("categorical"), e.getMessage());
        } finally {
            booster.dispose();
        }
    }

    // --- generators

    record ShippedCase(XgboostRiskModel model, float[] rows, int n) {
        @Override
        public String toString() {
            return model.version() + " x " + n + " rows";
        }
    }

    @Provide
    Arbitrary<ShippedCase> shippedRows() {
        List<Path> versions;
        try (Stream<Path> s = Files.list(Path.of("models/vigil-demo"))) {
            versions = s.filter(p -> Files.exists(p.resolve(ModelCard.FILE_NAME))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(3, versions.size(), "the demo versions this test was written for: " + versions);
        return Arbitraries.of(versions).flatMap(dir -> {
            XgboostRiskModel model = shipped(dir);
            List<List<Float>> conditions = conditionsOf(model);
            int cols = conditions.size();
            return rows(conditions).list().ofMinSize(1).ofMaxSize(40)
                    .map(list -> new ShippedCase(model, flatten(list, cols), list.size()));
        });
    }

    @Provide
    Arbitrary<Case> trainedRows() {
        return Arbitraries.of(RECIPES).flatMap(recipe -> {
            Case trained = TRAINED.computeIfAbsent(recipe.name(), k -> trainCase(recipe));
            List<List<Float>> conditions = trained.walk().conditionsByFeature();
            return rows(conditions).list().ofMinSize(1).ofMaxSize(40)
                    .map(list -> new Case(recipe.name(), trained.booster(), trained.walk(), flatten(list, FEATURES), list.size()));
        });
    }

    /** A row: per feature a value on, next to or between that feature's split conditions, or a special float. */
    private static Arbitrary<float[]> rows(List<List<Float>> conditions) {
        List<Arbitrary<Float>> columns = new ArrayList<>();
        for (List<Float> c : conditions) columns.add(value(c));
        return Combinators.combine(columns).as(values -> {
            float[] row = new float[values.size()];
            for (int i = 0; i < row.length; i++) row[i] = values.get(i);
            return row;
        });
    }

    private static Arbitrary<Float> value(List<Float> conditions) {
        Arbitrary<Float> special = Arbitraries.of(Float.NaN, 0.0f, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, 1.0f, -1.0f);
        // Any float at all, NaNs with other payloads included (XGBoost takes every NaN as missing).
        Arbitrary<Float> anyBits = Arbitraries.integers().map(Float::intBitsToFloat);
        Arbitrary<Float> wide = between(-1e6f, 1e6f);
        if (conditions.isEmpty()) {
            return Arbitraries.frequencyOf(Tuple.of(1, special), Tuple.of(1, anyBits), Tuple.of(3, wide));
        }
        float lo = conditions.stream().min(Float::compare).orElseThrow();
        float hi = conditions.stream().max(Float::compare).orElseThrow();
        float pad = Math.max(1f, (hi - lo) * 0.1f);
        Arbitrary<Float> on = Arbitraries.of(conditions);
        return Arbitraries.frequencyOf(
                Tuple.of(2, special),
                Tuple.of(1, anyBits),
                Tuple.of(4, on),
                Tuple.of(2, on.map(Math::nextDown)),
                Tuple.of(2, on.map(Math::nextUp)),
                Tuple.of(3, between(lo - pad, hi + pad)),
                Tuple.of(1, wide));
    }

    /** Floats spread over [lo, hi] at full precision (jqwik's own float arbitrary rounds to a decimal scale). */
    private static Arbitrary<Float> between(float lo, float hi) {
        return Arbitraries.doubles().between(0, 1).ofScale(9).map(u -> (float) (lo + u * ((double) hi - lo)));
    }

    // --- models

    private static XgboostRiskModel shipped(Path dir) {
        return SHIPPED.computeIfAbsent(dir.toString(), k -> XgboostRiskModel.load(dir));
    }

    private static List<List<Float>> conditionsOf(XgboostRiskModel model) {
        assertTrue(model.walksTrees(), "the shipped model " + model.version() + " is walked in Java");
        return model.treeWalk().conditionsByFeature();
    }

    private static Case trainCase(Recipe recipe) {
        try {
            Booster booster = train(recipe, Map.of());
            return new Case(recipe.name(), booster, TreeWalk.of(booster), new float[0], 0);
        } catch (XGBoostError | TreeWalk.Unsupported e) {
            throw new AssertionError("recipe " + recipe, e);
        }
    }

    /**
     * Trains on 600 random rows: features with few distinct values (so that many rows sit on a split), a
     * continuous one, signed zeros, and a share of missing values; the label depends on three features and noise.
     */
    private static Booster train(Recipe recipe, Map<String, Object> extra) throws XGBoostError {
        Random r = new Random(recipe.seed());
        int n = 600;
        float[] x = new float[n * FEATURES];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < FEATURES; f++) {
                float v = switch (f) {
                    case 0 -> r.nextInt(5);
                    case 1 -> (float) (r.nextGaussian() * 1000);
                    case 2 -> r.nextBoolean() ? 0.0f : -0.0f;
                    case 3 -> r.nextInt(3) - 1;
                    case 4 -> (float) Math.exp(r.nextGaussian() * 3);
                    case 5 -> r.nextInt(100) / 7.0f;
                    default -> (float) r.nextDouble();
                };
                x[i * FEATURES + f] = r.nextDouble() < recipe.missingShare() ? Float.NaN : v;
            }
            double logit = -2 + 0.8 * nz(x[i * FEATURES]) + nz(x[i * FEATURES + 1]) / 800 - 1.5 * nz(x[i * FEATURES + 3])
                    + r.nextGaussian();
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        }
        DMatrix train = new DMatrix(x, n, FEATURES, Float.NaN);
        try {
            train.setLabel(y);
            Map<String, Object> params = new HashMap<>();
            params.put("objective", "binary:logistic");
            params.put("max_depth", recipe.depth());
            params.put("eta", 0.3);
            params.put("tree_method", recipe.treeMethod());
            params.put("nthread", 1);
            params.put("seed", recipe.seed());
            params.put("verbosity", 0);
            if (recipe.baseScore() != null) params.put("base_score", recipe.baseScore());
            params.putAll(extra);
            Booster booster = XGBoost.train(train, params, recipe.rounds(), Map.of(), null, null);
            booster.setParam("nthread", 1);
            return booster;
        } finally {
            train.dispose();
        }
    }

    private static double nz(float v) {
        return Float.isNaN(v) ? 0 : v;
    }

    private static float[] flatten(List<float[]> rows, int cols) {
        float[] flat = new float[rows.size() * cols];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, flat, i * cols, cols);
        return flat;
    }

    private static void assertSameFloats(float[] expected, float[] actual, float[] rows, int cols) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError("row " + i + " " + Arrays.toString(Arrays.copyOfRange(rows, i * cols, (i + 1) * cols))
                        + ": XGBoost4J " + expected[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[i]))
                        + "), the walk " + actual[i] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }
}
