package dev.vigil.score;

import dev.vigil.feature.Features;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the fraud model: XGBoost {@code binary:logistic} on {@link Features#vector(List)}, the latest
 * rows by event time held out for validation, early stopping on a validation metric, and a REVIEW
 * threshold chosen for a false-positive budget. The result is written as a model directory that
 * {@link XgboostRiskModel#load} reads.
 *
 * <p>Splitting by time rather than at random is deliberate: the model will score transactions that
 * come after everything it learnt from, and a random split lets it peek at the future (an account's
 * later velocity leaks into its earlier rows), which flatters the metrics.
 */
public final class ModelTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);

    static final String OBJECTIVE = "binary:logistic";
    static final String BOOSTER_FORMAT = "ubj";
    static final String BOOSTER_FILE = "model." + BOOSTER_FORMAT;
    static final String DATA_SHA256_METHOD = "SHA-256 over the rows in event-time order (ties in input order),"
            + " each row as the floats of Features.vector(card features) (big-endian"
            + " IEEE-754 binary32, in the order of the card's features) followed by one byte: 1 fraud, 0 legitimate";
    private static final DateTimeFormatter VERSION_DATE =
            DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private ModelTrainer() {}

    /**
     * Trains a model.
     *
     * @param rows one feature row per transaction
     * @param labels true where the transaction was fraud, same order as rows
     * @param eventTimes each transaction's event time, same order as rows; the split follows it
     * @throws ModelException {@code BAD_TRAINING_DATA} when the lists differ in length, or the training or
     *     validation part lacks a fraud or a legitimate row; {@code XGBOOST_FAILURE} when XGBoost fails
     */
    public static TrainedModel train(
            List<Features> rows, List<Boolean> labels, List<Instant> eventTimes, TrainingOptions options) {
        if (rows == null || labels == null || eventTimes == null || options == null) {
            throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, "rows, labels, eventTimes and options are required");
        }
        return train(TrainingRows.of(rows, labels, eventTimes), options);
    }

    /**
     * Trains a model on the columns of {@code data}; the card lists them, in their order.
     *
     * @throws ModelException as {@link #train(List, List, List, TrainingOptions)}
     */
    public static TrainedModel train(TrainingRows data, TrainingOptions options) {
        if (data == null || options == null) {
            throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, "data and options are required");
        }
        int n = data.size();
        if (n == 0) throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, "no training rows");
        long[] times = data.eventTimeMillis();
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingLong(i -> times[i])); // stable: ties keep input order

        int validationRows = (int) Math.round(n * options.validationFraction());
        int trainRows = n - validationRows;
        int cols = data.columns();
        float[] all = data.values();
        float[] trainX = new float[trainRows * cols];
        float[] trainY = new float[trainRows];
        float[] validX = new float[validationRows * cols];
        boolean[] validY = new boolean[validationRows];
        for (int k = 0; k < n; k++) {
            int i = order[k];
            boolean fraud = data.labels()[i];
            if (k < trainRows) {
                System.arraycopy(all, i * cols, trainX, k * cols, cols);
                trainY[k] = fraud ? 1f : 0f;
            } else {
                System.arraycopy(all, i * cols, validX, (k - trainRows) * cols, cols);
                validY[k - trainRows] = fraud;
            }
        }
        long trainFraud = 0;
        for (float y : trainY) if (y == 1f) trainFraud++;
        long validFraud = 0;
        for (boolean y : validY) if (y) validFraud++;
        requireBothClasses("training", trainRows, trainFraud);
        requireBothClasses("validation", validationRows, validFraud);

        String dataSha256 = dataSha256(data, order);
        Map<String, Object> params = parameters(options);
        Instant createdAt = options.createdAt() != null ? options.createdAt() : Instant.now();
        String version = options.version() != null ? options.version()
                : "vigil-" + VERSION_DATE.format(createdAt) + "-" + dataSha256.substring(0, 8);

        DMatrix dtrain = null;
        DMatrix dvalid = null;
        Booster booster = null;
        Booster best = null;
        try {
            String[] names = data.features().toArray(String[]::new);
            dtrain = new DMatrix(trainX, trainRows, cols, Float.NaN);
            dtrain.setLabel(trainY);
            // The booster keeps the column names, so the loader can tell a card reordered after training.
            dtrain.setFeatureNames(names);
            float[] validLabels = new float[validationRows];
            for (int i = 0; i < validationRows; i++) validLabels[i] = validY[i] ? 1f : 0f;
            dvalid = new DMatrix(validX, validationRows, cols, Float.NaN);
            dvalid.setLabel(validLabels);
            dvalid.setFeatureNames(names);

            // Zero rounds gives a configured booster; the rounds are run here so that the booster
            // kept is exactly the best round's, not the last round's.
            booster = XGBoost.train(dtrain, params, 0, Map.of(), null, null);
            boolean higherIsBetter = options.stoppingMetric().higherIsBetter();
            DMatrix[] evalSets = {dvalid};
            String[] evalNames = {"validation"};
            float[] metricOut = new float[1];
            double bestValue = Double.NaN;
            int bestIteration = -1;
            byte[] bestBytes = null;
            int trained = 0;
            for (int iter = 0; iter < options.maxRounds(); iter++) {
                booster.update(dtrain, iter);
                trained = iter + 1;
                booster.evalSet(evalSets, evalNames, iter, metricOut);
                double value = metricOut[0];
                boolean better = bestIteration < 0
                        || (!Double.isNaN(value) && (higherIsBetter ? value > bestValue : value < bestValue));
                if (better) {
                    bestValue = value;
                    bestIteration = iter;
                    bestBytes = booster.toByteArray(BOOSTER_FORMAT);
                } else if (iter - bestIteration >= options.earlyStoppingRounds()) {
                    break;
                }
            }

            best = XGBoost.loadModel(bestBytes);
            best.setParam("nthread", options.nthread());
            float[][] raw = best.inplace_predict(validX, validationRows, cols, Float.NaN);
            double[] p = new double[validationRows];
            for (int i = 0; i < validationRows; i++) p[i] = raw[i][0];

            double threshold = Metrics.thresholdForFalsePositiveBudget(p, validY, options.falsePositiveBudget());
            var review = new ModelCard.ReviewThreshold(
                    threshold, options.falsePositiveBudget(),
                    Metrics.rateAtOrAbove(p, validY, false, threshold),
                    Metrics.rateAtOrAbove(p, validY, true, threshold));
            var metrics = new ModelCard.ValidationMetrics(validationRows, validFraud,
                    Metrics.aucRoc(p, validY), Metrics.averagePrecision(p, validY), Metrics.logLoss(p, validY));
            var training = new ModelCard.TrainingData(
                    Instant.ofEpochMilli(times[order[0]]), Instant.ofEpochMilli(times[order[n - 1]]), n,
                    trainFraud + validFraud, trainRows, validationRows, Instant.ofEpochMilli(times[order[trainRows]]),
                    dataSha256, DATA_SHA256_METHOD);
            var rounds = new ModelCard.Rounds(options.maxRounds(), options.earlyStoppingRounds(),
                    options.stoppingMetric().xgboostName(), trained, bestIteration, bestValue);
            var card = new ModelCard(ModelCard.FORMAT, version, createdAt, OBJECTIVE, data.features(),
                    BOOSTER_FILE, sha256Hex(bestBytes), training, params, rounds, metrics,
                    new ModelCard.Thresholds(review));
            LOG.info("Trained model {}: {} rows ({} fraud), best round {} of {}, validation AUC {} AP {},"
                            + " REVIEW at p >= {} flags {} of legitimate and {} of fraud",
                    version, n, trainFraud + validFraud, bestIteration + 1, trained,
                    String.format("%.4f", metrics.aucRoc()), String.format("%.4f", metrics.averagePrecision()),
                    threshold, String.format("%.4f", review.validationFalsePositiveRate()),
                    String.format("%.4f", review.validationRecall()));
            return new TrainedModel(card, bestBytes, validationScores(p, validY));
        } catch (XGBoostError | IOException e) {
            throw new ModelException(ModelException.Code.XGBOOST_FAILURE, "training failed: " + e.getMessage(), e);
        } finally {
            if (best != null) best.dispose();
            if (booster != null) booster.dispose();
            if (dvalid != null) dvalid.dispose();
            if (dtrain != null) dtrain.dispose();
        }
    }

    /** The parameters given to XGBoost, in a stable order for the card. */
    static Map<String, Object> parameters(TrainingOptions o) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("objective", OBJECTIVE);
        p.put("eval_metric", o.stoppingMetric().xgboostName());
        p.put("tree_method", "hist");
        p.put("max_depth", o.maxDepth());
        p.put("eta", o.eta());
        p.put("min_child_weight", o.minChildWeight());
        p.put("subsample", o.subsample());
        p.put("colsample_bytree", o.colsampleByTree());
        // Only when set: a card without the key reads as XGBoost's default of 1, as the cards before it.
        if (o.scalePosWeight() != 1) p.put("scale_pos_weight", o.scalePosWeight());
        p.put("nthread", o.nthread());
        p.put("seed", o.seed());
        p.put("verbosity", 1);
        return p;
    }

    /** See {@link #DATA_SHA256_METHOD}. */
    static String dataSha256(TrainingRows data, Integer[] order) {
        MessageDigest sha = sha256();
        int cols = data.columns();
        ByteBuffer buf = ByteBuffer.allocate(cols * Float.BYTES + 1); // big-endian by default
        for (int i : order) {
            buf.clear();
            for (int j = 0; j < cols; j++) buf.putFloat(data.values()[i * cols + j]);
            buf.put((byte) (data.labels()[i] ? 1 : 0));
            sha.update(buf.array(), 0, buf.position());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String dataSha256(List<Features> rows, List<Boolean> labels, Integer[] order) {
        List<Instant> noTimes = java.util.Collections.nCopies(rows.size(), Instant.EPOCH);
        return dataSha256(TrainingRows.of(rows, labels, noTimes), order);
    }

    private static TrainedModel.ValidationScores validationScores(double[] p, boolean[] y) {
        return new TrainedModel.ValidationScores(p.clone(), y.clone());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void requireBothClasses(String part, long rows, long fraud) {
        if (fraud == 0 || fraud == rows) {
            throw new ModelException(ModelException.Code.BAD_TRAINING_DATA, "the " + part + " rows (" + rows
                    + ", latest by event time for validation) have " + fraud
                    + " fraud: both fraud and legitimate rows are needed");
        }
    }
}
