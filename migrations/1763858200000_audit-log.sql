-- Up Migration
-- The audit log (README "Audit log"): one row per admin action — who (an admin's e-mail, or the admin
-- token), when, from where, what, on which integration and with what outcome; settings and mappings
-- changes carry before → after, key and secret changes only the names of what changed. Rows are never
-- changed: UPDATE is refused, and DELETE only by the retention prune (src/audit/audit-log.ts), which
-- sets lcs.audit_prune for its own transaction.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  actor_kind text NOT NULL CHECK (actor_kind IN ('session', 'token', 'anonymous')),
  source_ip text,
  action text NOT NULL,
  integration_id uuid,
  target text,
  outcome integer NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_integration_at ON audit_log (integration_id, at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('lcs.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log entries cannot be changed (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
