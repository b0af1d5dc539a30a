-- Monthly partitions, one hash chain per partition anchored to the previous partition, and a
-- compact decision row that also records the risk tier, the SHAP contributions and the
-- challenger's shadow score. See audit-schema/README.md, "Partitions and the chain (V006)".
--
-- The tables of V001 to V005 keep every row written before this script, under new names
-- (decision_v1, rejection_v1), with their global chain (audit_chain) and its checkpoints: they
-- are frozen (no role may insert into them any more) and still verify with the v1 canonical form.
-- New rows go to the partitioned tables decision and rejection, whose canonical form is v2.

-- 1. The V001 tables become the frozen v1 segment.
ALTER TABLE decision RENAME TO decision_v1;
ALTER TABLE rejection RENAME TO rejection_v1;
ALTER INDEX decision_pkey RENAME TO decision_v1_pkey;
ALTER TABLE decision_v1 RENAME CONSTRAINT decision_transaction_id_key TO decision_v1_transaction_id_key;
ALTER INDEX decision_account_time RENAME TO decision_v1_account_time;
ALTER INDEX decision_processed_at RENAME TO decision_v1_processed_at;
ALTER INDEX rejection_pkey RENAME TO rejection_v1_pkey;
ALTER TABLE rejection_v1 RENAME CONSTRAINT rejection_source_channel_source_ref_key TO rejection_v1_source_key;
ALTER INDEX rejection_received_at RENAME TO rejection_v1_received_at;
-- Revoking a table privilege also revokes the column privileges V003 granted.
REVOKE INSERT ON decision_v1, rejection_v1 FROM vigil_app;
REVOKE INSERT ON audit_chain FROM vigil_app;

-- 2. The clock rows are recorded by. A plain SQL function, so it is inlined (it costs nothing);
-- it exists so that tests, as superuser, can stand the store in another month (CREATE OR REPLACE),
-- which is DDL only a superuser can do, like everything else that could backdate a row.
CREATE FUNCTION audit_clock() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT now() $$;

-- 3. Compact feature encoding: the values in a format's name order, joined by ','. Format 1 is
-- the model's 15 features; kind n = integer, d = exact decimal (kept as written), b = t or f.
CREATE TABLE audit_feature_format (
    format smallint PRIMARY KEY,
    names  text[]   NOT NULL,
    kinds  text[]   NOT NULL CHECK (cardinality(kinds) = cardinality(names))
);
INSERT INTO audit_feature_format VALUES (1,
    ARRAY['tx_count_1m', 'tx_count_1h', 'tx_count_24h', 'tx_count_7d', 'tx_sum_1m', 'tx_sum_1h', 'tx_sum_24h',
          'tx_sum_7d', 'account_age_days', 'balance_deposit_count_7d', 'balance_deposit_sum_7d',
          'deposit_to_net_worth_ratio', 'new_merchant', 'new_device', 'seconds_since_previous'],
    ARRAY['n', 'n', 'n', 'n', 'd', 'd', 'd', 'd', 'n', 'n', 'd', 'd', 'b', 'b', 'n']);
COMMENT ON TABLE audit_feature_format IS 'Feature name order of each compact features encoding; decision.features_format names one.';

-- The features as the jsonb object V001 stored: counts as numbers, flags as booleans, decimals as exact strings.
CREATE FUNCTION audit_features_json(format smallint, encoded text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_object_agg(f.name, CASE f.kind WHEN 'n' THEN to_jsonb(f.val::numeric)
                                                WHEN 'b' THEN to_jsonb(f.val = 't')
                                                ELSE to_jsonb(f.val) END)
      FROM audit_feature_format ff,
           unnest(ff.names, ff.kinds, string_to_array(encoded, ',')) AS f(name, kind, val)
     WHERE ff.format = $1;
$$;

-- 4. The partitioned tables. Each partition holds one calendar month (UTC) of recorded_at.
CREATE SEQUENCE decision_row_id_seq;
CREATE SEQUENCE rejection_row_id_seq;
SELECT setval('decision_row_id_seq', coalesce((SELECT max(id) FROM decision_v1), 0) + 1, false);
SELECT setval('rejection_row_id_seq', coalesce((SELECT max(id) FROM rejection_v1), 0) + 1, false);

CREATE TABLE decision (
    id                       bigint           NOT NULL DEFAULT nextval('decision_row_id_seq'),
    recorded_at              timestamptz      NOT NULL DEFAULT audit_clock(),
    chain_seq                bigint           NOT NULL CHECK (chain_seq >= 1),
    row_hash                 bytea            NOT NULL CHECK (octet_length(row_hash) = 32),
    decision_id              uuid             NOT NULL,
    transaction_id           text             NOT NULL,
    account_id               text             NOT NULL,
    customer_id              text             NOT NULL,
    event_time               timestamptz      NOT NULL,
    processed_at             timestamptz      NOT NULL,
    source_channel           text             NOT NULL,
    source_ref               text             NOT NULL,
    raw_event                bytea            NOT NULL,
    amount                   numeric          NOT NULL CHECK (amount >= 0),
    currency                 char(3)          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    transaction_type         text             NOT NULL,
    features_format          smallint         NOT NULL,
    features                 text             NOT NULL,
    account                  text,
    rule_set_version         text             NOT NULL,
    rule_set_hash            text             NOT NULL,
    model_version            text,
    score                    double precision NOT NULL CHECK (score >= 0 AND score <= 1),
    risk_score               integer          NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    risk_tier                text             NOT NULL CHECK (risk_tier IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
    verdict                  text             NOT NULL CHECK (verdict IN ('ALLOW', 'REVIEW', 'BLOCK')),
    hits                     text             NOT NULL,
    contributions            text,
    challenger_model_version text,
    challenger_score         double precision CHECK (challenger_score >= 0 AND challenger_score <= 1),
    challenger_verdict       text             CHECK (challenger_verdict IN ('ALLOW', 'REVIEW', 'BLOCK')),
    latency_micros           bigint           NOT NULL,
    PRIMARY KEY (chain_seq, recorded_at)
) PARTITION BY RANGE (recorded_at);

CREATE INDEX decision_transaction ON decision (transaction_id);
CREATE INDEX decision_account_event_time ON decision (account_id, event_time);

COMMENT ON TABLE decision IS 'One row per transaction decided by Vigil since V006, partitioned by month of recorded_at; append-only.';
COMMENT ON COLUMN decision.chain_seq IS 'Position in its month''s chain (decisions and rejections together): 1, 2, 3, ...';
COMMENT ON COLUMN decision.row_hash IS 'sha256(row_hash of chain_seq - 1, or the partition''s anchor for 1 || audit_decision_canonical_v2(row)).';
COMMENT ON COLUMN decision.features IS 'Feature values in audit_feature_format order, joined by '','' (compact); audit_decisions shows them as jsonb.';
COMMENT ON COLUMN decision.account IS 'Account facts the rules saw as a JSON object (text, exactly as Vigil wrote it); NULL when none.';
COMMENT ON COLUMN decision.hits IS 'JSON array of {rule_id, verdict, reason}, ordered by rule_id (text, exactly as Vigil wrote it).';
COMMENT ON COLUMN decision.contributions IS 'JSON array of the largest SHAP contributions {feature, value, contribution}, largest first; NULL when the score was not explained.';
COMMENT ON COLUMN decision.risk_tier IS 'LOW below 50, MEDIUM from 50, HIGH from 80, CRITICAL from 95 (of risk_score).';
COMMENT ON COLUMN decision.challenger_verdict IS 'The verdict the rules would have reached with the challenger''s score; NULL without a challenger.';

CREATE TABLE rejection (
    id             bigint      NOT NULL DEFAULT nextval('rejection_row_id_seq'),
    recorded_at    timestamptz NOT NULL DEFAULT audit_clock(),
    chain_seq      bigint      NOT NULL CHECK (chain_seq >= 1),
    row_hash       bytea       NOT NULL CHECK (octet_length(row_hash) = 32),
    source_channel text        NOT NULL,
    source_ref     text        NOT NULL,
    received_at    timestamptz NOT NULL,
    reason_code    text        NOT NULL,
    message        text        NOT NULL,
    transaction_id text,
    raw_event      bytea       NOT NULL,
    PRIMARY KEY (chain_seq, recorded_at)
) PARTITION BY RANGE (recorded_at);

CREATE INDEX rejection_source ON rejection (source_channel, source_ref);

COMMENT ON TABLE rejection IS 'One row per input that broke the event contract, since V006, partitioned by month of recorded_at; append-only.';

-- Parents refuse changes too (statement triggers on a parent do not fire for a statement naming a
-- partition, so every partition gets its own, see audit_open_partition).
CREATE TRIGGER decision_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON decision
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE decision ENABLE ALWAYS TRIGGER decision_append_only;
CREATE TRIGGER rejection_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON rejection
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE rejection ENABLE ALWAYS TRIGGER rejection_append_only;

-- 5. Canonical form v2 (the v1 functions of V005 stay for the v1 rows). Same field encoding as v1.
CREATE FUNCTION audit_decision_canonical_v2(d decision) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT audit_field('vigil-audit-v2:decision'::text)
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
        || audit_field(d.features_format::text)
        || audit_field(d.features)
        || audit_field(d.account)
        || audit_field(d.rule_set_version)
        || audit_field(d.rule_set_hash)
        || audit_field(d.model_version)
        || audit_field(float8send(d.score))
        || audit_field(d.risk_score::text)
        || audit_field(d.risk_tier)
        || audit_field(d.verdict)
        || audit_field(d.hits)
        || audit_field(d.contributions)
        || audit_field(d.challenger_model_version)
        || audit_field(float8send(d.challenger_score))
        || audit_field(d.challenger_verdict)
        || audit_field(d.latency_micros::text);
$$;

CREATE FUNCTION audit_rejection_canonical_v2(r rejection) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT audit_field('vigil-audit-v2:rejection'::text)
        || audit_field(r.source_channel)
        || audit_field(r.source_ref)
        || audit_field(r.received_at)
        || audit_field(r.recorded_at)
        || audit_field(r.reason_code)
        || audit_field(r.message)
        || audit_field(r.transaction_id)
        || audit_field(r.raw_event);
$$;

-- 6. The partitions' registry (evidence: append-only), their heads (the writers' lock and cache,
-- not evidence), their signed checkpoints, and the archives retention made.
CREATE TABLE audit_partition (
    month       date        PRIMARY KEY CHECK (month = date_trunc('month', month)::date),
    anchor_month date,
    anchor_seq  bigint      NOT NULL CHECK (anchor_seq >= 0),
    anchor_hash bytea       NOT NULL CHECK (octet_length(anchor_hash) = 32),
    opened_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE audit_partition IS 'One row per monthly partition, written when it opens: its chain starts from anchor_hash, the hash at chain_seq anchor_seq of partition anchor_month (NULL: of the V005 chain, audit_chain); append-only.';

CREATE TABLE audit_partition_head (
    month               date    PRIMARY KEY REFERENCES audit_partition,
    chain_seq           bigint  NOT NULL,
    head_hash           bytea   NOT NULL CHECK (octet_length(head_hash) = 32),
    last_checkpoint_seq bigint  NOT NULL DEFAULT 0
);
COMMENT ON TABLE audit_partition_head IS 'The last link of each partition''s chain (a cache for writers, not evidence).';

CREATE TABLE audit_partition_checkpoint (
    id         bigserial   PRIMARY KEY,
    month      date        NOT NULL,
    chain_seq  bigint      NOT NULL,
    head_hash  bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    signature  bytea       NOT NULL CHECK (octet_length(signature) = 32)
);
CREATE INDEX audit_partition_checkpoint_seq ON audit_partition_checkpoint (month, chain_seq);
COMMENT ON TABLE audit_partition_checkpoint IS 'A partition''s chain head signed with HMAC-SHA256 under VIGIL_AUDIT_HMAC_KEY: message ''vigil-audit-checkpoint-v2:'' || YYYY-MM || '':'' || chain_seq || '':'' || lower hex of head_hash; append-only.';

CREATE TABLE audit_archive (
    month       date        PRIMARY KEY REFERENCES audit_partition,
    archived_at timestamptz NOT NULL DEFAULT now(),
    archived_by text        NOT NULL DEFAULT current_user,
    decisions   bigint      NOT NULL,
    rejections  bigint      NOT NULL,
    last_seq    bigint      NOT NULL,
    head_hash   bytea       NOT NULL CHECK (octet_length(head_hash) = 32),
    file_name   text        NOT NULL,
    file_sha256 text        NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_bytes  bigint      NOT NULL
);
COMMENT ON TABLE audit_archive IS 'One row per partition archived by vigil audit retention after its chain verified; the partition''s tables were then dropped; append-only.';

CREATE TRIGGER audit_partition_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_partition
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_partition ENABLE ALWAYS TRIGGER audit_partition_append_only;
CREATE TRIGGER audit_partition_checkpoint_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_partition_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_partition_checkpoint ENABLE ALWAYS TRIGGER audit_partition_checkpoint_append_only;
CREATE TRIGGER audit_archive_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_archive
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_archive ENABLE ALWAYS TRIGGER audit_archive_append_only;
CREATE TRIGGER audit_feature_format_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_feature_format
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_feature_format ENABLE ALWAYS TRIGGER audit_feature_format_append_only;

-- Opens the month's partitions when missing; runs as the schema's owner, so vigil_app, which may
-- not create tables, gets partitions only this way. The anchor is the previous partition's head
-- (or the V005 chain's head for the first one), read under the writers' lock.
CREATE FUNCTION audit_open_partition(p_month date) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
    prev   date;
    a_seq  bigint;
    a_hash bytea;
    lo     timestamptz := p_month::timestamp AT TIME ZONE 'UTC';
    hi     timestamptz := (p_month + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    t      text;
    part   text;
BEGIN
    IF p_month IS NULL OR p_month <> date_trunc('month', p_month)::date THEN
        RAISE EXCEPTION 'audit partition month must be the first day of a month, not %', p_month;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_partition WHERE month = p_month) THEN
        RETURN;
    END IF;
    SELECT max(month) INTO prev FROM audit_partition WHERE month < p_month;
    IF prev IS NULL THEN
        SELECT chain_seq, head_hash INTO a_seq, a_hash FROM audit_chain_head;
    ELSE
        SELECT chain_seq, head_hash INTO a_seq, a_hash FROM audit_partition_head WHERE month = prev;
    END IF;
    FOREACH t IN ARRAY ARRAY['decision', 'rejection'] LOOP
        part := t || to_char(p_month, '"_p"YYYY"_"MM');
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, t, lo, hi);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', part || '_append_only', part);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', part, part || '_append_only');
    END LOOP;
    INSERT INTO audit_partition (month, anchor_month, anchor_seq, anchor_hash) VALUES (p_month, prev, a_seq, a_hash);
    INSERT INTO audit_partition_head (month, chain_seq, head_hash) VALUES (p_month, 0, a_hash);
END;
$$;

-- Every write transaction starts here: it takes the writers' lock (so all writers append to the
-- chains one transaction after another), opens this month's partitions if needed, and returns the
-- month's head, locked, with the recorded_at every row of the transaction will get.
CREATE FUNCTION audit_begin_write()
    RETURNS TABLE (o_month date, o_recorded_at timestamptz, o_chain_seq bigint, o_head_hash bytea, o_last_checkpoint_seq bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    t timestamptz := audit_clock();
    m date := date_trunc('month', t AT TIME ZONE 'UTC')::date;
BEGIN
    PERFORM pg_advisory_xact_lock(6226088212036335716);
    PERFORM audit_open_partition(m);
    RETURN QUERY SELECT h.month, t, h.chain_seq, h.head_hash, h.last_checkpoint_seq
                   FROM audit_partition_head h WHERE h.month = m FOR UPDATE;
END;
$$;

-- 7. Privileges.
REVOKE ALL ON decision, rejection, audit_partition, audit_partition_head, audit_partition_checkpoint, audit_archive,
              audit_feature_format FROM PUBLIC;
REVOKE ALL ON SEQUENCE decision_row_id_seq, rejection_row_id_seq, audit_partition_checkpoint_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_open_partition(date), audit_begin_write() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_begin_write() TO vigil_app;

-- Column-level INSERT: not id, not recorded_at (the database's clock), as in V003.
GRANT INSERT (chain_seq, row_hash, decision_id, transaction_id, account_id, customer_id, event_time, processed_at,
              source_channel, source_ref, raw_event, amount, currency, transaction_type, features_format, features,
              account, rule_set_version, rule_set_hash, model_version, score, risk_score, risk_tier, verdict, hits,
              contributions, challenger_model_version, challenger_score, challenger_verdict, latency_micros)
    ON decision TO vigil_app;
GRANT INSERT (chain_seq, row_hash, source_channel, source_ref, received_at, reason_code, message, transaction_id,
              raw_event)
    ON rejection TO vigil_app;
GRANT SELECT ON decision, rejection, audit_partition, audit_partition_head, audit_partition_checkpoint, audit_archive,
                audit_feature_format TO vigil_app;
GRANT USAGE ON SEQUENCE decision_row_id_seq, rejection_row_id_seq, audit_partition_checkpoint_id_seq TO vigil_app;
GRANT UPDATE ON audit_partition_head TO vigil_app;
GRANT INSERT (month, chain_seq, head_hash, signature) ON audit_partition_checkpoint TO vigil_app;

GRANT SELECT ON decision, rejection, audit_partition, audit_partition_head, audit_partition_checkpoint, audit_archive,
                audit_feature_format TO vigil_auditor;

-- 8. The V004 views, over both segments (their old definitions follow the renamed v1 tables).
DROP VIEW audit_hits;
DROP VIEW audit_decisions;
DROP VIEW audit_rejections;

CREATE VIEW audit_decisions AS
SELECT d.id, d.decision_id, d.transaction_id, d.account_id, d.customer_id, d.event_time, d.processed_at, d.recorded_at,
       d.verdict, d.risk_score, d.score,
       ARRAY(SELECT h ->> 'rule_id' FROM jsonb_array_elements(d.hits::jsonb) AS h) AS rule_ids,
       d.hits::jsonb AS hits, d.amount, d.currency, d.transaction_type,
       audit_features_json(d.features_format, d.features) AS features,
       d.account::jsonb AS account, d.rule_set_version, d.rule_set_hash, d.model_version, d.latency_micros,
       d.source_channel, d.source_ref, audit_bytes_as_json(d.raw_event) AS raw_event_json, d.raw_event,
       d.risk_tier, d.contributions::jsonb AS contributions,
       d.challenger_model_version, d.challenger_score, d.challenger_verdict,
       'v2'::text AS canonical_form, date_trunc('month', d.recorded_at AT TIME ZONE 'UTC')::date AS partition_month,
       d.chain_seq
  FROM decision d
UNION ALL
SELECT d.id, d.decision_id, d.transaction_id, d.account_id, d.customer_id, d.event_time, d.processed_at, d.recorded_at,
       d.verdict, d.risk_score, d.score,
       ARRAY(SELECT h ->> 'rule_id' FROM jsonb_array_elements(d.hits) AS h),
       d.hits, d.amount, d.currency, d.transaction_type, d.features, d.account, d.rule_set_version, d.rule_set_hash,
       d.model_version, d.latency_micros, d.source_channel, d.source_ref, audit_bytes_as_json(d.raw_event), d.raw_event,
       NULL, NULL, NULL, NULL, NULL,
       'v1', NULL, (SELECT l.chain_seq FROM audit_chain l WHERE l.row_kind = 'decision' AND l.row_id = d.id)
  FROM decision_v1 d;

COMMENT ON VIEW audit_decisions IS 'Every decision (v2 partitions and the v1 rows before V006) with jsonb hits, features, account and contributions, rule_ids as text[], raw_event_json; partition_month NULL for v1 rows.';

CREATE VIEW audit_hits AS
SELECT d.id AS decision_row_id, d.transaction_id, d.account_id, d.event_time, d.processed_at,
       d.verdict AS decision_verdict, h.ordinality AS hit_number, h.value ->> 'rule_id' AS rule_id,
       h.value ->> 'verdict' AS hit_verdict, h.value ->> 'reason' AS reason, d.risk_score, d.rule_set_version,
       d.rule_set_hash, d.model_version
  FROM audit_decisions d
 CROSS JOIN LATERAL jsonb_array_elements(d.hits) WITH ORDINALITY AS h(value, ordinality);

COMMENT ON VIEW audit_hits IS 'One row per rule that fired on a decision.';

CREATE VIEW audit_rejections AS
SELECT r.id, r.received_at, r.recorded_at, r.reason_code, r.message, r.transaction_id, r.source_channel, r.source_ref,
       audit_bytes_as_text(r.raw_event) AS raw_event_text, audit_bytes_as_json(r.raw_event) AS raw_event_json,
       r.raw_event, 'v2'::text AS canonical_form
  FROM rejection r
UNION ALL
SELECT r.id, r.received_at, r.recorded_at, r.reason_code, r.message, r.transaction_id, r.source_channel, r.source_ref,
       audit_bytes_as_text(r.raw_event), audit_bytes_as_json(r.raw_event), r.raw_event, 'v1'
  FROM rejection_v1 r;

COMMENT ON VIEW audit_rejections IS 'Every rejection (both segments) with the raw input as text (NULL unless UTF-8) and as JSON (NULL unless UTF-8 JSON).';

REVOKE ALL ON audit_decisions, audit_hits, audit_rejections FROM PUBLIC;
GRANT SELECT ON audit_decisions, audit_hits, audit_rejections TO vigil_auditor, vigil_app;
