-- vigil_app: what Vigil itself connects as. It may insert audit rows and read them, nothing else.
-- vigil_auditor: read-only access for people and reporting tools.
-- Roles belong to the whole server, so they are created only when missing. They have no
-- password here: SchemaMigrator.setPasswords sets them from Vigil's configuration.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vigil_app') THEN
        CREATE ROLE vigil_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vigil_auditor') THEN
        CREATE ROLE vigil_auditor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
END;
$$;

REVOKE ALL ON decision, rejection, schema_version FROM PUBLIC;
REVOKE ALL ON SEQUENCE decision_id_seq, rejection_id_seq FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO vigil_app, vigil_auditor;

-- Column-level INSERT: the application cannot choose id or recorded_at, so it cannot
-- backdate a row or take another row's place in the id order.
GRANT INSERT (decision_id, transaction_id, account_id, customer_id, event_time, processed_at,
              source_channel, source_ref, raw_event, amount, currency, transaction_type,
              features, account, rule_set_version, rule_set_hash, model_version, score,
              risk_score, verdict, hits, latency_micros)
    ON decision TO vigil_app;
GRANT INSERT (source_channel, source_ref, received_at, reason_code, message, transaction_id, raw_event)
    ON rejection TO vigil_app;
-- SELECT is needed for ON CONFLICT and RETURNING, and for the CLI's read helpers.
GRANT SELECT ON decision, rejection TO vigil_app;
GRANT USAGE ON SEQUENCE decision_id_seq, rejection_id_seq TO vigil_app;

GRANT SELECT ON decision, rejection TO vigil_auditor;
GRANT SELECT ON schema_version TO vigil_auditor;
