-- V012's audit_account_json and audit_contributions_json were not STRICT: for rows of format 5 on, a
-- NULL account (no account event known) showed in audit_decisions as an object of ten nulls, and NULL
-- contributions (a score not explained: every ALLOW by default) as [], where rows of formats 1 to 4 show
-- NULL, as audit-schema/README.md says. An auditor asking for "account is null" or "contributions is null"
-- missed every newer row. The same functions, STRICT: NULL in, NULL out; every other value reads as
-- before. Only the view changes; no stored byte, and so no hash of the chain, is touched.
CREATE OR REPLACE FUNCTION audit_account_json(format smallint, account text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT CASE WHEN $1 >= 5 THEN
                    jsonb_build_object('account_id', a -> 0, 'customer_id', a -> 1, 'opened_at', a -> 2,
                                       'declared_net_worth', a -> 3, 'net_worth_currency', a -> 4, 'country', a -> 5,
                                       'kyc_risk_level', a -> 6, 'closed', a -> 7, 'kyc_failed', a -> 8,
                                       'watchlist_hit', a -> 9)
                ELSE a END
      FROM (SELECT $2::jsonb AS a) x;
$$;

CREATE OR REPLACE FUNCTION audit_contributions_json(format smallint, contributions text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT CASE WHEN $1 >= 5 THEN
                    (SELECT coalesce(jsonb_agg(jsonb_build_object('feature', e -> 0, 'value', e -> 1, 'contribution', e -> 2)
                                               ORDER BY n), '[]'::jsonb)
                       FROM jsonb_array_elements(c) WITH ORDINALITY AS t(e, n))
                ELSE c END
      FROM (SELECT $2::jsonb AS c) x;
$$;
