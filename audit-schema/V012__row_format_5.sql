-- Format 5: format 4's 82 features in the same order, and a more compact decision row: the account
-- facts and the SHAP contributions are JSON arrays of values in a fixed order instead of objects that
-- repeat every key name on every row (about 290 bytes a row less, a sixth of the row). Decisions
-- written from this version on use it; rows of formats 1 to 4 keep theirs. features_format is part of
-- the canonical bytes (V006), so a row's format, and so how its account and contributions read, is
-- covered by its hash.
--
--   account (format 5):       [account_id, customer_id, opened_at, declared_net_worth, net_worth_currency,
--                              country, kyc_risk_level, closed, kyc_failed, watchlist_hit]
--   contributions (format 5): [[feature, value, contribution], ...], largest first
--
-- The functions below turn either form into the objects formats 1 to 4 stored, and audit_decisions
-- shows them, so an auditor sees the same jsonb for every row whatever its format.
INSERT INTO audit_feature_format SELECT 5, names, kinds FROM audit_feature_format WHERE format = 4;

CREATE FUNCTION audit_account_json(format smallint, account text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN $1 >= 5 THEN
                    jsonb_build_object('account_id', a -> 0, 'customer_id', a -> 1, 'opened_at', a -> 2,
                                       'declared_net_worth', a -> 3, 'net_worth_currency', a -> 4, 'country', a -> 5,
                                       'kyc_risk_level', a -> 6, 'closed', a -> 7, 'kyc_failed', a -> 8,
                                       'watchlist_hit', a -> 9)
                ELSE a END
      FROM (SELECT $2::jsonb AS a) x;
$$;
COMMENT ON FUNCTION audit_account_json(smallint, text) IS 'A decision''s account facts as a jsonb object, whatever the row''s format (format 5 stores an array of values).';

CREATE FUNCTION audit_contributions_json(format smallint, contributions text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN $1 >= 5 THEN
                    (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', e -> 0, 'value', e -> 1, 'contribution', e -> 2)
                                               ORDER BY n), '[]'::jsonb)
                       FROM jsonb_array_elements(c) WITH ORDINALITY AS t(e, n))
                ELSE c END
      FROM (SELECT $2::jsonb AS c) x;
$$;
COMMENT ON FUNCTION audit_contributions_json(smallint, text) IS 'A decision''s SHAP contributions as a jsonb array of {feature, value, contribution}, whatever the row''s format (format 5 stores [feature, value, contribution] arrays).';

-- The same columns as V006's view; only account and contributions go through the functions.
CREATE OR REPLACE VIEW audit_decisions AS
SELECT d.id, d.decision_id, d.transaction_id, d.account_id, d.customer_id, d.event_time, d.processed_at, d.recorded_at,
       d.verdict, d.risk_score, d.score,
       ARRAY(SELECT h ->> 'rule_id' FROM jsonb_array_elements(d.hits::jsonb) AS h) AS rule_ids,
       d.hits::jsonb AS hits, d.amount, d.currency, d.transaction_type,
       audit_features_json(d.features_format, d.features) AS features,
       audit_account_json(d.features_format, d.account) AS account, d.rule_set_version, d.rule_set_hash, d.model_version,
       d.latency_micros, d.source_channel, d.source_ref, audit_bytes_as_json(d.raw_event) AS raw_event_json, d.raw_event,
       d.risk_tier, audit_contributions_json(d.features_format, d.contributions) AS contributions,
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
