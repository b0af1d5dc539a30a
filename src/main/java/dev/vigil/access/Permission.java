package dev.vigil.access;

/** What a console endpoint or a case action needs; {@link Role} grants a fixed set of these. */
public enum Permission {
    /** Read the case queue and case pages. */
    VIEW_CASES,
    /** Assign, comment, close, escalate a case, and ask for a BLOCK to be released. */
    ACT_ON_CASES,
    /** Be the second person who releases a blocked transaction (four-eyes). */
    APPROVE_RELEASE,
    /** The overview page: throughput, verdict mix, top rules, score distribution. */
    VIEW_OVERVIEW,
    /** Read the record of who did what (case actions, logins, key changes). */
    READ_AUDIT,
    /** List users and API keys. */
    MANAGE_ACCESS,
    /** Scrape {@code /metrics} with a session. */
    SCRAPE_METRICS
}
