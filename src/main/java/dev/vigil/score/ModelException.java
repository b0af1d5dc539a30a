package dev.vigil.score;

import java.util.Objects;

/**
 * A model that cannot be trained, written or loaded: a stable code for machines and a message that
 * names the file, the field and the bad value for people.
 */
public final class ModelException extends RuntimeException {

    /** Stable reasons; the CLI and logs cite them. */
    public enum Code {
        /** The training rows, labels and times do not fit together, or cannot train a model. */
        BAD_TRAINING_DATA,
        /** {@code model.json} is missing, unreadable, or of an unknown format. */
        BAD_CARD,
        /** The card names a feature not in {@code Features.NAMES}, or differs from the booster's columns. */
        FEATURE_MISMATCH,
        /** The booster file is missing, does not match the card's hash, or does not load. */
        BAD_BOOSTER,
        /** XGBoost failed while training or predicting. */
        XGBOOST_FAILURE,
        /** Scoring after {@link RiskModel#close()}. */
        CLOSED
    }

    private final Code code;

    public ModelException(Code code, String message) {
        this(code, message, null);
    }

    public ModelException(Code code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }
}
