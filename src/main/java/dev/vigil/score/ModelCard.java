package dev.vigil.score;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a trained model is and how it was made: {@code model.json} beside the booster file in a model
 * directory. The audit trail cites {@link #version()}; the loader checks {@link #features()} against
 * {@link dev.vigil.feature.Features#NAMES} and the booster file against {@link #boosterSha256()}.
 *
 * @param format card format, {@value #FORMAT}
 * @param version model version, e.g. {@code demo-2026.11.23-1}
 * @param createdAt when the model was trained
 * @param objective the XGBoost objective; always {@code binary:logistic}, whose output is the probability
 * @param features the model's input columns, in order
 * @param boosterFile the booster's file name in the model directory
 * @param boosterSha256 SHA-256 of that file (hex)
 * @param trainingData what the model was trained and validated on
 * @param parameters the XGBoost parameters, as passed
 * @param rounds boosting rounds and early stopping
 * @param validation metrics of the kept booster on the validation rows
 * @param thresholds probability thresholds the rules may use
 */
public record ModelCard(
        String format,
        String version,
        Instant createdAt,
        String objective,
        List<String> features,
        String boosterFile,
        String boosterSha256,
        TrainingData trainingData,
        Map<String, Object> parameters,
        Rounds rounds,
        ValidationMetrics validation,
        Thresholds thresholds) {

    public static final String FORMAT = "vigil-model-card/1";
    public static final String FILE_NAME = "model.json";

    public ModelCard {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(createdAt, "created_at");
        Objects.requireNonNull(objective, "objective");
        features = List.copyOf(Objects.requireNonNull(features, "features"));
        Objects.requireNonNull(boosterFile, "booster_file");
        Objects.requireNonNull(boosterSha256, "booster_sha256");
        Objects.requireNonNull(trainingData, "training_data");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(parameters, "parameters")));
        Objects.requireNonNull(rounds, "rounds");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(thresholds, "thresholds");
    }

    /**
     * The rows the model learnt from, in event time.
     *
     * @param firstEventTime earliest event time of all rows
     * @param lastEventTime latest event time of all rows
     * @param rows all rows, training and validation
     * @param fraudRows rows labelled fraud
     * @param trainRows rows boosted on: the earliest by event time
     * @param validationRows rows held out: the latest by event time
     * @param validationFrom event time of the first validation row
     * @param sha256 fingerprint of the rows and labels (hex), see {@link #sha256Method}
     * @param sha256Method how {@link #sha256} is computed, so it can be checked without this code
     */
    public record TrainingData(
            Instant firstEventTime,
            Instant lastEventTime,
            long rows,
            long fraudRows,
            long trainRows,
            long validationRows,
            Instant validationFrom,
            String sha256,
            String sha256Method) {
        public TrainingData {
            Objects.requireNonNull(firstEventTime, "first_event_time");
            Objects.requireNonNull(lastEventTime, "last_event_time");
            Objects.requireNonNull(validationFrom, "validation_from");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * @param max most rounds allowed
     * @param earlyStoppingRounds rounds without improvement that stop training
     * @param stoppingMetric the XGBoost validation metric watched
     * @param trained rounds boosted before stopping
     * @param bestIteration the 0-based round with the best validation metric; the booster kept has
     *     {@code bestIteration + 1} trees, so its plain prediction is the best iteration's
     * @param bestStoppingMetricValue the metric at that round, as XGBoost computed it
     */
    public record Rounds(
            int max, int earlyStoppingRounds, String stoppingMetric, int trained, int bestIteration,
            double bestStoppingMetricValue) {}

    /**
     * The kept booster on the validation rows. These rows also chose the stopping round and the
     * thresholds, so the figures lean optimistic; judge a model on later data too.
     */
    public record ValidationMetrics(long rows, long fraudRows, double aucRoc, double averagePrecision, double logLoss) {}

    /** @param review the REVIEW threshold */
    public record Thresholds(ReviewThreshold review) {
        public Thresholds {
            Objects.requireNonNull(review, "review");
        }
    }

    /**
     * Flag for review when {@code probability >= this.probability}.
     *
     * @param probability the threshold: the lowest that keeps to the budget on the validation rows
     * @param falsePositiveBudget the share of legitimate validation rows it was allowed to flag
     * @param validationFalsePositiveRate the share it does flag
     * @param validationRecall the share of fraud validation rows it flags
     */
    public record ReviewThreshold(
            double probability, double falsePositiveBudget, double validationFalsePositiveRate,
            double validationRecall) {}
}
