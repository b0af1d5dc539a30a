package dev.vigil.score;

/**
 * The risk model's output for one transaction: a fact in the rule session.
 *
 * @param probability estimated probability of fraud, 0 to 1
 * @param riskScore the probability on a 0 to 100 scale, rounded
 * @param modelVersion the version of the model that produced it
 */
public record ModelScore(double probability, int riskScore, String modelVersion) {
    public ModelScore {
        if (!(probability >= 0 && probability <= 1)) throw new IllegalArgumentException("probability " + probability);
    }

    public static ModelScore of(double probability, String modelVersion) {
        return new ModelScore(probability, (int) Math.round(probability * 100), modelVersion);
    }

    public double getProbability() { return probability; }
    public int getRiskScore() { return riskScore; }
    public String getModelVersion() { return modelVersion; }
}
