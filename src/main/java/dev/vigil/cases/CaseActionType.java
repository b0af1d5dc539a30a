package dev.vigil.cases;

/** The kinds of {@code case_action} rows. OPEN and JOIN are the pipeline's; the rest are people's. */
public enum CaseActionType {
    OPEN, JOIN, ASSIGN, COMMENT, CLOSE, ESCALATE, REQUEST_RELEASE, APPROVE_RELEASE
}
