package dev.vigil.score;

import java.util.List;

/**
 * The risk model's output for one transaction: a fact in the rule session.
 *
 * @param probability estimated probability of fraud, 0 to 1
 * @param riskScore the probability on a 0 to 100 scale, rounded
 * @param modelVersion the version of the model that produced it
 * @param contributions the largest SHAP contributions by absolute size, largest first; empty when
 *     not explained (explanations are computed for REVIEW and BLOCK decisions, by {@code DecisionEngine} after the verdict, and for ALLOW when vigil.model.explain-allow is set)
 */
public record ModelScore(double probability, int riskScore, String modelVersion, List<Contribution> contributions) {
    public ModelScore {
        if (!(probability >= 0 && probability <= 1)) throw new IllegalArgumentException("probability " + probability);
        contributions = contributions == null ? List.of() : List.copyOf(contributions);
    }

    public ModelScore(double probability, int riskScore, String modelVersion) {
        this(probability, riskScore, modelVersion, List.of());
    }

    public static ModelScore of(double probability, String modelVersion) {
        return new ModelScore(probability, (int) Math.round(probability * 100), modelVersion, List.of());
    }

    /** The same score, explained. */
    public ModelScore withContributions(List<Contribution> top) {
        return new ModelScore(probability, riskScore, modelVersion, top);
    }

    public RiskTier tier() {
        return RiskTier.of(riskScore);
    }

    public double getProbability() { return probability; }
    public int getRiskScore() { return riskScore; }
    public String getModelVersion() { return modelVersion; }
    public RiskTier getTier() { return tier(); }
}
