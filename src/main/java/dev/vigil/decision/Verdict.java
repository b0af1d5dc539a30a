package dev.vigil.decision;

/** The outcome of a decision, in rising order of severity: BLOCK wins over REVIEW over ALLOW. */
public enum Verdict {
    ALLOW,
    REVIEW,
    BLOCK;

    /** The more severe of the two. */
    public Verdict max(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /** True for the verdicts that raise an alert. */
    public boolean isAlert() {
        return this != ALLOW;
    }
}
