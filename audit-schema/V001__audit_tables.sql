-- Vigil audit store: one row per decision and one row per rejected input.
-- Rows are only ever inserted (V002 makes the database refuse anything else).
-- Applied by dev.vigil.audit.SchemaMigrator; never edit an applied file, add a new V<nnn> file.

CREATE TABLE decision (
    id               bigserial        PRIMARY KEY,
    decision_id      uuid             NOT NULL,
    transaction_id   text             NOT NULL UNIQUE,
    account_id       text             NOT NULL,
    customer_id      text             NOT NULL,
    event_time       timestamptz      NOT NULL,
    processed_at     timestamptz      NOT NULL,
    recorded_at      timestamptz      NOT NULL DEFAULT now(),
    source_channel   text             NOT NULL,
    source_ref       text             NOT NULL,
    raw_event        bytea            NOT NULL,
    amount           numeric          NOT NULL CHECK (amount >= 0),
    currency         char(3)          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    transaction_type text             NOT NULL,
    features         jsonb            NOT NULL CHECK (jsonb_typeof(features) = 'object'),
    account          jsonb                     CHECK (account IS NULL OR jsonb_typeof(account) = 'object'),
    rule_set_version text             NOT NULL,
    rule_set_hash    text             NOT NULL,
    model_version    text,
    score            double precision NOT NULL CHECK (score >= 0 AND score <= 1),
    risk_score       integer          NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    verdict          text             NOT NULL CHECK (verdict IN ('ALLOW', 'REVIEW', 'BLOCK')),
    hits             jsonb            NOT NULL CHECK (jsonb_typeof(hits) = 'array'),
    latency_micros   bigint           NOT NULL
);

-- An account's history in event time is the auditors' most common question.
CREATE INDEX decision_account_time ON decision (account_id, event_time);
CREATE INDEX decision_processed_at ON decision (processed_at);

COMMENT ON TABLE decision IS 'One row per transaction decided by Vigil; append-only.';
COMMENT ON COLUMN decision.decision_id IS 'Derived from transaction_id (name-based UUID), so a redelivery has the same id.';
COMMENT ON COLUMN decision.event_time IS 'When the transaction happened, as the payment rail reported it (event time).';
COMMENT ON COLUMN decision.processed_at IS 'When Vigil decided (Vigil''s wall clock).';
COMMENT ON COLUMN decision.recorded_at IS 'When the row was committed (database clock).';
COMMENT ON COLUMN decision.source_channel IS 'kafka or http.';
COMMENT ON COLUMN decision.source_ref IS 'kafka: topic/partition/offset; http: the request id.';
COMMENT ON COLUMN decision.raw_event IS 'The event exactly as received, byte for byte.';
COMMENT ON COLUMN decision.amount IS 'Exact amount in currency, never negative (a refund is a positive REFUND).';
COMMENT ON COLUMN decision.features IS 'Feature snapshot the rules and the model saw; decimals are JSON strings holding the exact value.';
COMMENT ON COLUMN decision.account IS 'Account profile facts the rules saw; NULL when no account event was known.';
COMMENT ON COLUMN decision.rule_set_version IS 'Human label of the rule set (rules/VERSION).';
COMMENT ON COLUMN decision.rule_set_hash IS 'SHA-256 prefix over every rule file: identifies the exact rules.';
COMMENT ON COLUMN decision.score IS 'Model fraud probability, 0 to 1.';
COMMENT ON COLUMN decision.risk_score IS 'score on a 0 to 100 scale, rounded.';
COMMENT ON COLUMN decision.hits IS 'Array of {rule_id, verdict, reason}, one per rule that fired, ordered by rule_id.';
COMMENT ON COLUMN decision.latency_micros IS 'Time spent deciding, enrichment to verdict, in microseconds.';

CREATE TABLE rejection (
    id             bigserial   PRIMARY KEY,
    source_channel text        NOT NULL,
    source_ref     text        NOT NULL,
    received_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    reason_code    text        NOT NULL,
    message        text        NOT NULL,
    transaction_id text,
    raw_event      bytea       NOT NULL,
    UNIQUE (source_channel, source_ref)
);

CREATE INDEX rejection_received_at ON rejection (received_at);

COMMENT ON TABLE rejection IS 'One row per input that broke the event contract (it also went to the dead-letter topic); append-only.';
COMMENT ON COLUMN rejection.reason_code IS 'Machine-readable reason, e.g. NOT_JSON, MISSING_FIELD, UNKNOWN_CURRENCY.';
COMMENT ON COLUMN rejection.transaction_id IS 'The transaction id when the payload had a readable one, else NULL.';
COMMENT ON COLUMN rejection.raw_event IS 'The input exactly as received, byte for byte (it may not be UTF-8 or JSON).';
