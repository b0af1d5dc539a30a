package dev.vigil.score;

import java.time.Instant;

/**
 * How {@link ModelTrainer} trains. {@link #defaults()} is a small, sensible model for the feature set;
 * change one knob with the {@code with…} methods.
 *
 * @param version the model version written to the card, e.g. {@code demo-2026.11.23-1}; null to derive
 *     {@code vigil-<yyyy.MM.dd of createdAt, UTC>-<first 8 hex of the training-data hash>}
 * @param createdAt the card's creation time; null for now (set it to make a card reproducible)
 * @param validationFraction the share of rows, latest by event time, held out for validation
 * @param maxDepth tree depth
 * @param eta learning rate
 * @param maxRounds most boosting rounds
 * @param earlyStoppingRounds stop after this many rounds without a better validation metric
 * @param stoppingMetric the validation metric early stopping watches
 * @param falsePositiveBudget the share of legitimate validation transactions the REVIEW threshold may flag
 * @param nthread XGBoost threads while training
 * @param seed XGBoost's random seed
 * @param minChildWeight XGBoost {@code min_child_weight}: the least hessian sum a leaf may hold (1 = XGBoost's default)
 * @param subsample the share of training rows each tree sees (1 = all)
 * @param colsampleByTree the share of columns each tree sees (1 = all)
 * @param scalePosWeight the weight of a fraud row against a legitimate one (1 = none); above 1 it trades
 *     calibration for attention to the rare class
 */
public record TrainingOptions(
        String version,
        Instant createdAt,
        double validationFraction,
        int maxDepth,
        double eta,
        int maxRounds,
        int earlyStoppingRounds,
        StoppingMetric stoppingMetric,
        double falsePositiveBudget,
        int nthread,
        int seed,
        double minChildWeight,
        double subsample,
        double colsampleByTree,
        double scalePosWeight) {

    /** A validation metric XGBoost computes each round, and which way is better. */
    public enum StoppingMetric {
        /** Area under the precision-recall curve: ranks the rare fraud class; higher is better. */
        AUCPR("aucpr", true),
        /** Mean log loss: smoother on small validation sets; lower is better. */
        LOGLOSS("logloss", false);

        private final String xgboostName;
        private final boolean higherIsBetter;

        StoppingMetric(String xgboostName, boolean higherIsBetter) {
            this.xgboostName = xgboostName;
            this.higherIsBetter = higherIsBetter;
        }

        /** The {@code eval_metric} name. */
        public String xgboostName() {
            return xgboostName;
        }

        public boolean higherIsBetter() {
            return higherIsBetter;
        }
    }

    public TrainingOptions {
        if (version != null && version.isBlank()) throw new IllegalArgumentException("version is blank");
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction " + validationFraction + " not in (0, 1)");
        }
        if (maxDepth < 1 || maxDepth > 16) throw new IllegalArgumentException("maxDepth " + maxDepth + " not in 1..16");
        if (!(eta > 0 && eta <= 1)) throw new IllegalArgumentException("eta " + eta + " not in (0, 1]");
        if (maxRounds < 1) throw new IllegalArgumentException("maxRounds " + maxRounds + " < 1");
        if (earlyStoppingRounds < 1) {
            throw new IllegalArgumentException("earlyStoppingRounds " + earlyStoppingRounds + " < 1");
        }
        if (stoppingMetric == null) throw new IllegalArgumentException("stoppingMetric is null");
        if (!(falsePositiveBudget >= 0 && falsePositiveBudget < 1)) {
            throw new IllegalArgumentException("falsePositiveBudget " + falsePositiveBudget + " not in [0, 1)");
        }
        if (nthread < 1) throw new IllegalArgumentException("nthread " + nthread + " < 1");
        if (!(minChildWeight >= 0)) throw new IllegalArgumentException("minChildWeight " + minChildWeight + " < 0");
        if (!(subsample > 0 && subsample <= 1)) throw new IllegalArgumentException("subsample " + subsample + " not in (0, 1]");
        if (!(colsampleByTree > 0 && colsampleByTree <= 1)) {
            throw new IllegalArgumentException("colsampleByTree " + colsampleByTree + " not in (0, 1]");
        }
        if (!(scalePosWeight > 0)) throw new IllegalArgumentException("scalePosWeight " + scalePosWeight + " <= 0");
    }

    /** Options with XGBoost's defaults for the tree knobs: min_child_weight 1, no row or column sampling, no class weight. */
    public TrainingOptions(String version, Instant createdAt, double validationFraction, int maxDepth, double eta,
            int maxRounds, int earlyStoppingRounds, StoppingMetric stoppingMetric, double falsePositiveBudget,
            int nthread, int seed) {
        this(version, createdAt, validationFraction, maxDepth, eta, maxRounds, earlyStoppingRounds, stoppingMetric,
                falsePositiveBudget, nthread, seed, 1, 1, 1, 1);
    }

    /**
     * Depth 4, eta 0.1, up to 200 rounds stopping after 20 without a better validation log loss, a 1%
     * false-positive budget, one thread.
     *
     * <p>Log loss rather than AUC-PR: rules read the output as a probability, and log loss is what
     * rewards a calibrated one. On a validation set with tens of frauds AUC-PR is also noisy and flat,
     * and stopping on it picked round 6 of a synthetic set, with probabilities still shrunk toward the
     * base rate (log-loss stopping picked round 33, same AUC).
     */
    public static TrainingOptions defaults() {
        return new TrainingOptions(null, null, 0.2, 4, 0.1, 200, 20, StoppingMetric.LOGLOSS, 0.01, 1, 42);
    }

    public TrainingOptions withVersion(String v) {
        return new TrainingOptions(v, createdAt, validationFraction, maxDepth, eta, maxRounds, earlyStoppingRounds,
                stoppingMetric, falsePositiveBudget, nthread, seed, minChildWeight, subsample, colsampleByTree, scalePosWeight);
    }

    public TrainingOptions withCreatedAt(Instant t) {
        return new TrainingOptions(version, t, validationFraction, maxDepth, eta, maxRounds, earlyStoppingRounds,
                stoppingMetric, falsePositiveBudget, nthread, seed, minChildWeight, subsample, colsampleByTree, scalePosWeight);
    }

    public TrainingOptions withMaxRounds(int rounds) {
        return new TrainingOptions(version, createdAt, validationFraction, maxDepth, eta, rounds, earlyStoppingRounds,
                stoppingMetric, falsePositiveBudget, nthread, seed, minChildWeight, subsample, colsampleByTree, scalePosWeight);
    }

    public TrainingOptions withStoppingMetric(StoppingMetric metric) {
        return new TrainingOptions(version, createdAt, validationFraction, maxDepth, eta, maxRounds, earlyStoppingRounds,
                metric, falsePositiveBudget, nthread, seed, minChildWeight, subsample, colsampleByTree, scalePosWeight);
    }

    public TrainingOptions withFalsePositiveBudget(double budget) {
        return new TrainingOptions(version, createdAt, validationFraction, maxDepth, eta, maxRounds, earlyStoppingRounds,
                stoppingMetric, budget, nthread, seed, minChildWeight, subsample, colsampleByTree, scalePosWeight);
    }

    public TrainingOptions withNthread(int threads) {
        return new TrainingOptions(version, createdAt, validationFraction, maxDepth, eta, maxRounds, earlyStoppingRounds,
                stoppingMetric, falsePositiveBudget, threads, seed, minChildWeight, subsample, colsampleByTree, scalePosWeight);
    }

    /** The tree knobs at once: depth, learning rate, rounds and early stopping, leaf weight, row and column sampling, class weight. */
    public TrainingOptions withTrees(int depth, double learningRate, int rounds, int stopAfter, double childWeight,
            double rowShare, double columnShare, double fraudWeight) {
        return new TrainingOptions(version, createdAt, validationFraction, depth, learningRate, rounds, stopAfter,
                stoppingMetric, falsePositiveBudget, nthread, seed, childWeight, rowShare, columnShare, fraudWeight);
    }
}
