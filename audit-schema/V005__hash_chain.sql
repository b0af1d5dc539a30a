-- Tamper evidence: one hash chain over every audit row (decisions and rejections together),
-- and checkpoints of its head signed with a key the database never holds.
--
-- The chain lives in its own append-only table, one link per audit row:
--   row_hash = sha256(prev_hash || canonical bytes of the row)
-- The canonical bytes are defined here, in SQL (audit_decision_canonical, audit_rejection_canonical),
-- so an auditor can recompute every hash with SQL alone. Vigil reads them back from the INSERT
-- (RETURNING) and computes the hashes in Java, inside the same transaction as the rows.
-- See audit-schema/README.md, "Tamper evidence".

DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'the audit database must use the UTF8 encoding, not %', current_setting('server_encoding');
    END IF;
END;
$$;

-- One field: its length in bytes as a 4-byte big-endian integer, then the bytes; NULL is length -1.
CREATE FUNCTION audit_field(value bytea) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(int4send(octet_length(value)) || value, '\xffffffff'::bytea);
$$;

-- Text in a UTF8 database: octet_length is then its UTF-8 length, and the value is converted once.
-- STABLE, like convert_to and to_char: a SQL function declared stricter than its body is not
-- inlined, and then costs about 150 us a row instead of a few.
CREATE FUNCTION audit_field(value text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(int4send(octet_length(value)) || convert_to(value, 'UTF8'), '\xffffffff'::bytea);
$$;

-- Times as PostgreSQL's binary form: 8 bytes, big-endian signed microseconds since
-- 2000-01-01 00:00:00 UTC. Exact, independent of TimeZone and DateStyle, and far cheaper than to_char.
CREATE FUNCTION audit_field(value timestamptz) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT audit_field(timestamptz_send(value));
$$;

CREATE FUNCTION audit_decision_canonical(d decision) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT audit_field('vigil-audit-v1:decision'::text)
        || audit_field(d.decision_id::text)
        || audit_field(d.transaction_id)
        || audit_field(d.account_id)
        || audit_field(d.customer_id)
        || audit_field(d.event_time)
        || audit_field(d.processed_at)
        || audit_field(d.recorded_at)
        || audit_field(d.source_channel)
        || audit_field(d.source_ref)
        || audit_field(d.raw_event)
        || audit_field(d.amount::text)
        || audit_field(d.currency::text)
        || audit_field(d.transaction_type)
        || audit_field(d.features::text)
        || audit_field(d.account::text)
        || audit_field(d.rule_set_version)
        || audit_field(d.rule_set_hash)
        || audit_field(d.model_version)
        || audit_field(float8send(d.score))
        || audit_field(d.risk_score::text)
        || audit_field(d.verdict)
        || audit_field(d.hits::text)
        || audit_field(d.latency_micros::text);
$$;

CREATE FUNCTION audit_rejection_canonical(r rejection) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT audit_field('vigil-audit-v1:rejection'::text)
        || audit_field(r.source_channel)
        || audit_field(r.source_ref)
        || audit_field(r.received_at)
        || audit_field(r.recorded_at)
        || audit_field(r.reason_code)
        || audit_field(r.message)
        || audit_field(r.transaction_id)
        || audit_field(r.raw_event);
$$;

CREATE TABLE audit_chain (
    chain_seq bigint PRIMARY KEY CHECK (chain_seq >= 1),
    row_kind  text   NOT NULL CHECK (row_kind IN ('decision', 'rejection')),
    row_id    bigint NOT NULL,
    prev_hash bytea  NOT NULL CHECK (octet_length(prev_hash) = 32),
    row_hash  bytea  NOT NULL CHECK (octet_length(row_hash) = 32),
    UNIQUE (row_kind, row_id)
);

COMMENT ON TABLE audit_chain IS 'One link per audit row, in chain order: row_hash = sha256(prev_hash || canonical bytes of the row); append-only.';
COMMENT ON COLUMN audit_chain.chain_seq IS 'Position in the chain: 1, 2, 3, ... without gaps.';
COMMENT ON COLUMN audit_chain.row_id IS 'decision.id or rejection.id, as row_kind says.';
COMMENT ON COLUMN audit_chain.prev_hash IS 'row_hash of chain_seq - 1; 32 zero bytes for chain_seq 1.';

-- The head of the chain: one row, locked by every write transaction (SELECT ... FOR UPDATE),
-- so several Vigil processes append to one chain, one transaction after another.
CREATE TABLE audit_chain_head (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    chain_seq           bigint  NOT NULL,
    head_hash           bytea   NOT NULL CHECK (octet_length(head_hash) = 32),
    last_checkpoint_seq bigint  NOT NULL DEFAULT 0
);

COMMENT ON TABLE audit_chain_head IS 'The last link of audit_chain (a cache for writers, not evidence): the lock that serialises appends.';

CREATE TABLE audit_checkpoint (
    id         bigserial   PRIMARY KEY,
    chain_seq  bigint      NOT NULL,
    head_hash  bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    signature  bytea       NOT NULL CHECK (octet_length(signature) = 32)
);

CREATE INDEX audit_checkpoint_seq ON audit_checkpoint (chain_seq);

COMMENT ON TABLE audit_checkpoint IS 'Chain head signed with HMAC-SHA256 under VIGIL_AUDIT_HMAC_KEY, which the database never holds; append-only.';
COMMENT ON COLUMN audit_checkpoint.signature IS 'HMAC-SHA256(key, UTF-8 of ''vigil-audit-checkpoint-v1:'' || chain_seq || '':'' || lower hex of head_hash).';

CREATE TRIGGER audit_chain_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_chain ENABLE ALWAYS TRIGGER audit_chain_append_only;

CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_checkpoint ENABLE ALWAYS TRIGGER audit_checkpoint_append_only;

-- Rows written before this script join the chain now, in commit order (recorded_at), so the
-- chain covers every audit row. Hashing here is in SQL because no Vigil process is involved.
INSERT INTO audit_chain_head (chain_seq, head_hash) VALUES (0, decode(repeat('00', 32), 'hex'));

DO $$
DECLARE
    seq  bigint := 0;
    prev bytea  := decode(repeat('00', 32), 'hex');
    hash bytea;
    r    record;
BEGIN
    FOR r IN
        SELECT kind, id, canonical FROM (
            SELECT 'decision' AS kind, d.id, d.recorded_at, audit_decision_canonical(d) AS canonical FROM decision d
            UNION ALL
            SELECT 'rejection', j.id, j.recorded_at, audit_rejection_canonical(j) FROM rejection j
        ) rows
        ORDER BY recorded_at, kind, id
    LOOP
        seq := seq + 1;
        hash := sha256(prev || r.canonical);
        INSERT INTO audit_chain (chain_seq, row_kind, row_id, prev_hash, row_hash)
            VALUES (seq, r.kind, r.id, prev, hash);
        prev := hash;
    END LOOP;
    UPDATE audit_chain_head SET chain_seq = seq, head_hash = prev;
END;
$$;

REVOKE ALL ON audit_chain, audit_chain_head, audit_checkpoint FROM PUBLIC;
REVOKE ALL ON SEQUENCE audit_checkpoint_id_seq FROM PUBLIC;
GRANT SELECT, INSERT ON audit_chain TO vigil_app;
GRANT SELECT, UPDATE ON audit_chain_head TO vigil_app;
GRANT INSERT (chain_seq, head_hash, signature) ON audit_checkpoint TO vigil_app;
GRANT SELECT ON audit_checkpoint TO vigil_app;
GRANT USAGE ON SEQUENCE audit_checkpoint_id_seq TO vigil_app;
GRANT SELECT ON audit_chain, audit_chain_head, audit_checkpoint TO vigil_auditor;
