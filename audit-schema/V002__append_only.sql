-- The audit tables accept INSERT only. Privileges already keep the application role to
-- INSERT and SELECT (V003); these triggers refuse UPDATE, DELETE and TRUNCATE from anyone,
-- the table owner and superusers included.
--
-- Statement-level triggers fire even when no row matches, so any attempt is refused and
-- logged as an error. ENABLE ALWAYS keeps them firing under session_replication_role = replica,
-- the usual way to bypass triggers. A superuser can still ALTER TABLE ... DISABLE TRIGGER or
-- drop them: that is DDL, visible in the server log, and outside what a database can forbid
-- its own superuser.

CREATE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'P0001',
              HINT = 'Vigil audit rows are never changed or removed; record a new row instead.';
END;
$$;

CREATE TRIGGER decision_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON decision
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE decision ENABLE ALWAYS TRIGGER decision_append_only;

CREATE TRIGGER rejection_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON rejection
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE rejection ENABLE ALWAYS TRIGGER rejection_append_only;
