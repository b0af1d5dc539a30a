package dev.vigil.cases;

/** Where a case stands. A closed case takes no more alerts: the account's next alert opens a new one. */
public enum CaseState {
    OPEN, IN_REVIEW, CLOSED_FRAUD, CLOSED_LEGIT, ESCALATED_SAR;

    /** Still being worked: new alerts of the account may join it. */
    public boolean isOpen() {
        return this == OPEN || this == IN_REVIEW || this == ESCALATED_SAR;
    }
}
