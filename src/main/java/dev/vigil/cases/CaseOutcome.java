package dev.vigil.cases;

/** How a case is closed; published as the label of each of its transactions. */
public enum CaseOutcome {
    FRAUD, LEGIT;

    CaseState closedState() {
        return this == FRAUD ? CaseState.CLOSED_FRAUD : CaseState.CLOSED_LEGIT;
    }
}
