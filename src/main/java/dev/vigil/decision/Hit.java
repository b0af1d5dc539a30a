package dev.vigil.decision;

import java.util.Objects;

/**
 * One rule's finding: inserted by a rule, never a change to its inputs.
 *
 * @param ruleId the stable id the rule's name starts with, e.g. {@code VEL-001}; alerts and audit rows cite it
 * @param verdict what the rule asks for
 * @param reason a sentence for an analyst, naming the values that made the rule fire
 */
public record Hit(String ruleId, Verdict verdict, String reason) {
    public Hit {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(reason, "reason");
        if (ruleId.isBlank()) throw new IllegalArgumentException("ruleId is blank");
    }

    /** Convenience for rule consequences: {@code insert(Hit.of("VEL-001", "REVIEW", "..."))}. */
    public static Hit of(String ruleId, String verdict, String reason) {
        return new Hit(ruleId.trim(), Verdict.valueOf(verdict.trim()), reason);
    }

    public String getRuleId() { return ruleId; }
    public Verdict getVerdict() { return verdict; }
    public String getReason() { return reason; }
}
