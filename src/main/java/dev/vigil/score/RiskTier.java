package dev.vigil.score;

/** A coarse band of the 0 to 100 risk score, for people and dashboards; rules use the score itself. */
public enum RiskTier {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** LOW below 50, MEDIUM from 50, HIGH from 80, CRITICAL from 95. */
    public static RiskTier of(int riskScore) {
        if (riskScore >= 95) return CRITICAL;
        if (riskScore >= 80) return HIGH;
        if (riskScore >= 50) return MEDIUM;
        return LOW;
    }
}
