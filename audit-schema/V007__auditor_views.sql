-- Documented views for auditors (audit-schema/README.md, "Auditor views"), over both segments
-- (the v2 partitions and the v1 rows before V006) through audit_decisions and audit_hits.

-- Decisions by account over time: one row per account, day (UTC, event time) and currency.
CREATE VIEW audit_account_activity AS
SELECT d.account_id,
       (d.event_time AT TIME ZONE 'UTC')::date           AS day,
       d.currency,
       count(*)                                          AS decisions,
       count(*) FILTER (WHERE d.verdict = 'REVIEW')      AS reviews,
       count(*) FILTER (WHERE d.verdict = 'BLOCK')       AS blocks,
       sum(d.amount)                                     AS amount,
       max(d.risk_score)                                 AS max_risk_score,
       min(d.event_time)                                 AS first_event,
       max(d.event_time)                                 AS last_event
  FROM audit_decisions d
 GROUP BY d.account_id, (d.event_time AT TIME ZONE 'UTC')::date, d.currency;

COMMENT ON VIEW audit_account_activity IS 'Decisions by account, day (UTC, event time) and currency: counts by verdict, amount, highest risk score.';

-- Alerts by rule by day: one row per day (UTC, event time), rule and rule-set version.
CREATE VIEW audit_alerts_by_rule_day AS
SELECT (h.event_time AT TIME ZONE 'UTC')::date           AS day,
       h.rule_id,
       h.rule_set_version,
       h.rule_set_hash,
       count(*)                                          AS hits,
       count(*) FILTER (WHERE h.hit_verdict = 'REVIEW')  AS review_hits,
       count(*) FILTER (WHERE h.hit_verdict = 'BLOCK')   AS block_hits,
       count(DISTINCT h.account_id)                      AS accounts
  FROM audit_hits h
 GROUP BY (h.event_time AT TIME ZONE 'UTC')::date, h.rule_id, h.rule_set_version, h.rule_set_hash;

COMMENT ON VIEW audit_alerts_by_rule_day IS 'Rule hits by day (UTC, event time), rule id and rule-set version.';

-- The history of rule-set, model and challenger versions: when each was first and last used.
CREATE VIEW audit_version_history AS
SELECT 'rule_set'::text AS kind, d.rule_set_version AS version, d.rule_set_hash AS content_hash,
       min(d.processed_at) AS first_used, max(d.processed_at) AS last_used, count(*) AS decisions
  FROM audit_decisions d
 GROUP BY d.rule_set_version, d.rule_set_hash
UNION ALL
SELECT 'model', coalesce(d.model_version, '(none)'), NULL, min(d.processed_at), max(d.processed_at), count(*)
  FROM audit_decisions d
 GROUP BY d.model_version
UNION ALL
SELECT 'challenger', d.challenger_model_version, NULL, min(d.processed_at), max(d.processed_at), count(*)
  FROM audit_decisions d
 WHERE d.challenger_model_version IS NOT NULL
 GROUP BY d.challenger_model_version;

COMMENT ON VIEW audit_version_history IS 'Each rule-set version (label and content hash), model and challenger version: first and last use, decisions made.';

-- Every decision a given rule version made: one row per hit, with the exact rule set (hash) it came from.
CREATE VIEW audit_rule_decisions AS
SELECT h.rule_id, h.rule_set_version, h.rule_set_hash, h.hit_verdict, h.reason,
       h.transaction_id, h.account_id, h.event_time, h.processed_at, h.decision_verdict, h.risk_score,
       h.model_version
  FROM audit_hits h;

COMMENT ON VIEW audit_rule_decisions IS 'Every decision on which a rule fired, with the rule-set version and hash that held the rule.';

REVOKE ALL ON audit_account_activity, audit_alerts_by_rule_day, audit_version_history, audit_rule_decisions FROM PUBLIC;
GRANT SELECT ON audit_account_activity, audit_alerts_by_rule_day, audit_version_history, audit_rule_decisions
    TO vigil_auditor, vigil_app;
