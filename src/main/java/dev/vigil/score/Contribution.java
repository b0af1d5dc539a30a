package dev.vigil.score;

import java.util.Objects;

/**
 * One feature's share in a model score (a SHAP value): how far this feature's value moved the
 * score, in log-odds, from the model's base rate. Positive values push towards fraud.
 *
 * @param feature the feature name, as in {@code Features.NAMES}
 * @param value the feature's value for this transaction, as the model saw it
 * @param contribution the SHAP value in log-odds
 */
public record Contribution(String feature, double value, double contribution) {
    public Contribution {
        Objects.requireNonNull(feature, "feature");
    }

    public String getFeature() { return feature; }
    public double getValue() { return value; }
    public double getContribution() { return contribution; }
}
