-- Convenience views for auditors: the same rows, with the raw event shown as JSON where it
-- is valid UTF-8 JSON, and the hits unfolded one row per rule.

-- NULL when the bytes are not valid UTF-8 (or hold a NUL byte).
CREATE FUNCTION audit_bytes_as_text(raw bytea) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN convert_from(raw, 'UTF8');
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END;
$$;

-- NULL when the bytes are not valid UTF-8 JSON (jsonb also refuses the escape \u0000).
CREATE FUNCTION audit_bytes_as_json(raw bytea) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
BEGIN
    RETURN convert_from(raw, 'UTF8')::jsonb;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END;
$$;

CREATE VIEW audit_decisions AS
SELECT d.id,
       d.decision_id,
       d.transaction_id,
       d.account_id,
       d.customer_id,
       d.event_time,
       d.processed_at,
       d.recorded_at,
       d.verdict,
       d.risk_score,
       d.score,
       ARRAY(SELECT h ->> 'rule_id' FROM jsonb_array_elements(d.hits) AS h) AS rule_ids,
       d.hits,
       d.amount,
       d.currency,
       d.transaction_type,
       d.features,
       d.account,
       d.rule_set_version,
       d.rule_set_hash,
       d.model_version,
       d.latency_micros,
       d.source_channel,
       d.source_ref,
       audit_bytes_as_json(d.raw_event) AS raw_event_json,
       d.raw_event
  FROM decision d;

COMMENT ON VIEW audit_decisions IS 'decision with rule_ids as text[] and raw_event_json (NULL when the bytes are not UTF-8 JSON).';

-- One row per rule hit: alerts by rule, by day, by account.
CREATE VIEW audit_hits AS
SELECT d.id AS decision_row_id,
       d.transaction_id,
       d.account_id,
       d.event_time,
       d.processed_at,
       d.verdict AS decision_verdict,
       h.ordinality AS hit_number,
       h.value ->> 'rule_id' AS rule_id,
       h.value ->> 'verdict' AS hit_verdict,
       h.value ->> 'reason' AS reason,
       d.risk_score,
       d.rule_set_version,
       d.rule_set_hash
  FROM decision d
 CROSS JOIN LATERAL jsonb_array_elements(d.hits) WITH ORDINALITY AS h(value, ordinality);

COMMENT ON VIEW audit_hits IS 'One row per rule that fired on a decision.';

CREATE VIEW audit_rejections AS
SELECT r.id,
       r.received_at,
       r.recorded_at,
       r.reason_code,
       r.message,
       r.transaction_id,
       r.source_channel,
       r.source_ref,
       audit_bytes_as_text(r.raw_event) AS raw_event_text,
       audit_bytes_as_json(r.raw_event) AS raw_event_json,
       r.raw_event
  FROM rejection r;

COMMENT ON VIEW audit_rejections IS 'rejection with the raw input as text (NULL unless UTF-8) and as JSON (NULL unless UTF-8 JSON).';

REVOKE ALL ON audit_decisions, audit_hits, audit_rejections FROM PUBLIC;
GRANT SELECT ON audit_decisions, audit_hits, audit_rejections TO vigil_auditor, vigil_app;
