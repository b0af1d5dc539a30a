package dev.vigil.cli;

import dev.vigil.score.TrainingOptions;
import dev.vigil.score.TrainingRows;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How a model is trained on a replayed history ({@code model train --data}, {@code --from-audit} and
 * {@code model evaluate}): the XGBoost knobs and which feature columns it reads. The defaults are the
 * settings chosen on FDH validation weeks (see {@code docs/model-evaluation.md}).
 */
final class HistoryTrainingFlags {
    @Option(names = "--max-depth", defaultValue = "6", description = "Tree depth. Default: ${DEFAULT-VALUE}.")
    int maxDepth;

    @Option(names = "--eta", defaultValue = "0.05", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    double eta;

    @Option(names = "--rounds", defaultValue = "800", description = "Most boosting rounds. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--early-stopping", defaultValue = "50",
            description = "Stop after this many rounds without a better validation AUC-PR. Default: ${DEFAULT-VALUE}.")
    int earlyStopping;

    @Option(names = "--min-child-weight", defaultValue = "1", description = "XGBoost min_child_weight. Default: ${DEFAULT-VALUE}.")
    double minChildWeight;

    @Option(names = "--subsample", defaultValue = "1", description = "Share of rows each tree sees. Default: ${DEFAULT-VALUE}.")
    double subsample;

    @Option(names = "--colsample", defaultValue = "1", description = "Share of columns each tree sees. Default: ${DEFAULT-VALUE}.")
    double colsample;

    @Option(names = "--scale-pos-weight", defaultValue = "1",
            description = "Weight of a fraud row against a legitimate one (1: none, keeps probabilities calibrated). Default: ${DEFAULT-VALUE}.")
    double scalePosWeight;

    @Option(names = "--features", defaultValue = "varying", description = "Feature columns the model reads: 'all' (every"
            + " feature of the catalogue), 'varying' (those not constant over the training rows: a tree cannot split on"
            + " a constant column, so the model is the same, trained faster) or a comma-separated list. Default: ${DEFAULT-VALUE}.")
    String features;

    /** The training options these flags give, on {@code threads} threads. */
    TrainingOptions options(int threads) {
        return Histories.options(threads).withTrees(maxDepth, eta, rounds, earlyStopping, minChildWeight, subsample,
                colsample, scalePosWeight);
    }

    /** The columns a model trained on {@code rows} reads. */
    Function<TrainingRows, List<String>> featureChoice() {
        return switch (features) {
            case "all" -> TrainingRows::features;
            case "varying" -> TrainingRows::varyingFeatures;
            default -> {
                List<String> named = List.of(features.split(","));
                yield rows -> named;
            }
        };
    }

    /** The settings as flags, for a report's command line. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "--max-depth %d --eta %s --rounds %d --early-stopping %d --min-child-weight %s"
                        + " --subsample %s --colsample %s --scale-pos-weight %s --features %s", maxDepth, num(eta), rounds, earlyStopping,
                num(minChildWeight), num(subsample), num(colsample), num(scalePosWeight), features);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
