package dev.vigil.event;

/** The Kafka topics Vigil reads and writes. Every record is keyed by account id. */
public final class Topics {
    /** In: {@link TransactionEvent} JSON. */
    public static final String TRANSACTIONS = "vigil.transactions";
    /** In: {@link AccountEvent} JSON. */
    public static final String ACCOUNT_EVENTS = "vigil.account-events";
    /** Out: every decision. */
    public static final String DECISIONS = "vigil.decisions";
    /** Out: REVIEW and BLOCK decisions only. */
    public static final String ALERTS = "vigil.alerts";
    /** Out: rejected input, original bytes as the value, reason and source in headers. */
    public static final String DLQ = "vigil.dlq";

    /**
     * Out: one JSON event per rules reload, applied or refused, keyed by the rules folder
     * ({@code outcome}, {@code version}, {@code hash}, {@code previous_version}, {@code previous_hash},
     * {@code problems}, {@code at}; see {@code dev.vigil.rules.RuleReload#toJson()}).
     */
    public static final String RULE_EVENTS = "vigil.rule-events";

    /** In: blacklist and whitelist updates, {@code {"list", "entity", "id", "member"}} (docs/features.md). */
    public static final String LISTS = "vigil.lists";

    /**
     * In and out: a known outcome of a transaction,
     * {@code {"transaction_id", "label": "FRAUD"|"LEGIT", "source", "known_at"}}. Analysts' case
     * closures publish here (see {@code dev.vigil.cases.AnalystLabel}); the feature engine reads it
     * for the merchant fraud rates (docs/features.md), using a label only from its known_at on.
     */
    public static final String LABELS = "vigil.labels";

    public static final String[] ALL = {TRANSACTIONS, ACCOUNT_EVENTS, DECISIONS, ALERTS, DLQ, RULE_EVENTS, LISTS, LABELS};

    private Topics() {}
}
