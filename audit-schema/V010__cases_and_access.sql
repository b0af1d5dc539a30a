-- Analyst cases and console access: who may do what, and what each person did.
--
-- case_action, case_alert and access_event are append-only records (the V002 trigger pattern).
-- cases holds each case's current state, derived from its actions and kept in the same
-- transaction as the action that changes it; it may be updated (column grants below) but never
-- deleted. users, user_session and api_key may be updated in the columns granted, never deleted:
-- a user is disabled, a session ended, a key revoked.

CREATE TABLE users (
    username            text        PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    display_name        text        NOT NULL,
    roles               text[]      NOT NULL CHECK (cardinality(roles) >= 1
                                     AND roles <@ ARRAY['ANALYST', 'SENIOR_ANALYST', 'RULE_AUTHOR', 'AUDITOR', 'ADMIN']),
    password_hash       text        NOT NULL,
    disabled            boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE users IS 'People who use the console; never deleted, disabled instead.';
COMMENT ON COLUMN users.password_hash IS 'pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>: PBKDF2-HMAC-SHA256, 16-byte salt, 32-byte hash.';

CREATE TABLE user_session (
    token_hash     bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    username       text        NOT NULL REFERENCES users,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    ended_at       timestamptz,
    remote_address text
);

CREATE INDEX user_session_username ON user_session (username);

COMMENT ON TABLE user_session IS 'Console sessions; only the SHA-256 of the session token is stored.';

CREATE TABLE api_key (
    key_id      text        PRIMARY KEY CHECK (key_id ~ '^[a-z0-9]{8,32}$'),
    client      text        NOT NULL CHECK (client ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    secret_hash bytea       NOT NULL CHECK (octet_length(secret_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text
);

CREATE INDEX api_key_client ON api_key (client);

COMMENT ON TABLE api_key IS 'One key per payment-rail client for POST /v1/decisions; only the SHA-256 of the secret is stored.';

CREATE TABLE access_event (
    id       bigserial   PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text        NOT NULL,
    event    text        NOT NULL CHECK (event IN ('USER_ADDED', 'USER_DISABLED', 'USER_ENABLED', 'PASSWORD_SET',
                                                   'ROLES_SET', 'LOGIN', 'LOGIN_FAILED', 'LOGOUT',
                                                   'API_KEY_CREATED', 'API_KEY_REVOKED')),
    subject  text        NOT NULL,
    detail   text
);

CREATE INDEX access_event_at ON access_event (at);

COMMENT ON TABLE access_event IS 'Who added users, set passwords, logged in (or failed to), created and revoked API keys; append-only.';

CREATE TABLE cases (
    case_id        bigserial   PRIMARY KEY,
    account_id     text        NOT NULL,
    customer_id    text        NOT NULL,
    state          text        NOT NULL CHECK (state IN ('OPEN', 'IN_REVIEW', 'CLOSED_FRAUD', 'CLOSED_LEGIT', 'ESCALATED_SAR')),
    priority       integer     NOT NULL CHECK (priority BETWEEN 0 AND 100),
    opened_at      timestamptz NOT NULL DEFAULT now(),
    sla_deadline   timestamptz NOT NULL,
    first_event_at timestamptz NOT NULL,
    last_event_at  timestamptz NOT NULL,
    assignee       text        REFERENCES users,
    closed_at      timestamptz,
    alert_count    integer     NOT NULL CHECK (alert_count >= 1),
    max_verdict    text        NOT NULL CHECK (max_verdict IN ('REVIEW', 'BLOCK')),
    max_amount     numeric     NOT NULL CHECK (max_amount >= 0),
    currency       char(3)     NOT NULL,
    max_risk_score integer     NOT NULL CHECK (max_risk_score BETWEEN 0 AND 100),
    rule_ids       text[]      NOT NULL,
    release_state  text        CHECK (release_state IN ('REQUESTED', 'RELEASED')),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The queue: open work by priority, then age. Partial, so 10,000 open cases stay a small index
-- however many closed ones pile up.
CREATE INDEX cases_queue ON cases (priority DESC, opened_at) WHERE state IN ('OPEN', 'IN_REVIEW', 'ESCALATED_SAR');
CREATE INDEX cases_state ON cases (state, priority DESC, opened_at);
CREATE INDEX cases_account ON cases (account_id, opened_at);
CREATE INDEX cases_assignee ON cases (assignee, state);
CREATE INDEX cases_rule_ids ON cases USING gin (rule_ids);

COMMENT ON TABLE cases IS 'One analyst case per account and alert window: the current state, derived from case_action.';
COMMENT ON COLUMN cases.priority IS '0 to 100 from risk score, amount and rules; the highest of the case''s alerts.';
COMMENT ON COLUMN cases.last_event_at IS 'Event time of the latest alert; a new alert of the account joins the case while it is open and within the window of this.';

CREATE TABLE case_alert (
    transaction_id text        PRIMARY KEY,
    case_id        bigint      NOT NULL REFERENCES cases,
    verdict        text        NOT NULL CHECK (verdict IN ('REVIEW', 'BLOCK')),
    risk_score     integer     NOT NULL,
    amount         numeric     NOT NULL,
    currency       char(3)     NOT NULL,
    event_time     timestamptz NOT NULL,
    priority       integer     NOT NULL,
    contributions  jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(contributions) = 'array'),
    added_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX case_alert_case ON case_alert (case_id);

COMMENT ON TABLE case_alert IS 'Each REVIEW or BLOCK decision and the case it opened or joined: one row per transaction id, so a redelivered alert joins nothing twice; append-only.';
COMMENT ON COLUMN case_alert.contributions IS 'The model''s SHAP contributions as published with the alert: [{feature, value, contribution}].';

CREATE TABLE case_action (
    id             bigserial   PRIMARY KEY,
    case_id        bigint      NOT NULL REFERENCES cases,
    at             timestamptz NOT NULL DEFAULT now(),
    actor          text        NOT NULL,
    action         text        NOT NULL CHECK (action IN ('OPEN', 'JOIN', 'ASSIGN', 'COMMENT', 'CLOSE', 'ESCALATE',
                                                          'REQUEST_RELEASE', 'APPROVE_RELEASE')),
    transaction_id text,
    outcome        text        CHECK (outcome IN ('FRAUD', 'LEGIT')),
    assignee       text,
    comment        text,
    state_after    text        NOT NULL
);

CREATE INDEX case_action_case ON case_action (case_id, id);
CREATE INDEX case_action_at ON case_action (at);

COMMENT ON TABLE case_action IS 'Every analyst action on a case (and the system''s OPEN and JOIN), with who and when; append-only.';
COMMENT ON COLUMN case_action.actor IS 'The console user, or vigil for the pipeline.';

CREATE TRIGGER case_alert_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON case_alert
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE case_alert ENABLE ALWAYS TRIGGER case_alert_append_only;

CREATE TRIGGER case_action_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON case_action
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE case_action ENABLE ALWAYS TRIGGER case_action_append_only;

CREATE TRIGGER access_event_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON access_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE access_event ENABLE ALWAYS TRIGGER access_event_append_only;

-- The stateful tables may change in their granted columns, but never lose a row.
CREATE FUNCTION audit_refuse_removal() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are never removed: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001',
              HINT = 'Close a case, disable a user, end a session or revoke a key instead.';
END;
$$;

CREATE TRIGGER cases_keep_rows BEFORE DELETE OR TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_removal();
ALTER TABLE cases ENABLE ALWAYS TRIGGER cases_keep_rows;
CREATE TRIGGER users_keep_rows BEFORE DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_removal();
ALTER TABLE users ENABLE ALWAYS TRIGGER users_keep_rows;
CREATE TRIGGER api_key_keep_rows BEFORE DELETE OR TRUNCATE ON api_key
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_removal();
ALTER TABLE api_key ENABLE ALWAYS TRIGGER api_key_keep_rows;

REVOKE ALL ON users, user_session, api_key, access_event, cases, case_alert, case_action FROM PUBLIC;
REVOKE ALL ON SEQUENCE access_event_id_seq, cases_case_id_seq, case_action_id_seq FROM PUBLIC;

GRANT SELECT, INSERT ON users, user_session, api_key, access_event, cases, case_alert, case_action TO vigil_app;
GRANT UPDATE (display_name, roles, password_hash, disabled, password_changed_at) ON users TO vigil_app;
GRANT UPDATE (ended_at) ON user_session TO vigil_app;
GRANT UPDATE (revoked_at, revoked_by) ON api_key TO vigil_app;
GRANT UPDATE (state, priority, sla_deadline, last_event_at, assignee, closed_at, alert_count, max_verdict,
              max_amount, currency, max_risk_score, rule_ids, release_state, updated_at) ON cases TO vigil_app;
GRANT USAGE ON SEQUENCE access_event_id_seq, cases_case_id_seq, case_action_id_seq TO vigil_app;

-- Auditors read everything but the secrets' hashes.
GRANT SELECT ON cases, case_alert, case_action, access_event TO vigil_auditor;
GRANT SELECT (username, display_name, roles, disabled, created_at, password_changed_at) ON users TO vigil_auditor;
GRANT SELECT (key_id, client, created_at, created_by, revoked_at, revoked_by) ON api_key TO vigil_auditor;
GRANT SELECT (username, created_at, expires_at, ended_at, remote_address) ON user_session TO vigil_auditor;
