-- 010_audit_chain: the admin audit trail becomes tamper-evident (docs/architecture/admin.md).
--
-- Each admin_audit_logs row gets a place in one chain (seq), the previous row's hash and its
-- own: row_hash = SHA-256 of pend_audit_canonical(row), a JSON array of every column with
-- the previous hash in it. The BEFORE INSERT trigger computes them while holding the row
-- lock of audit_chain's single row, so appends are serialised and land in the inserting
-- transaction (the audit row commits or rolls back with the change it records). Rows can
-- be inserted but never updated, deleted or truncated: the triggers refuse (42501) whoever
-- asks. Only the tables' owner can disable a trigger; run the server under a role that
-- does not own them:
--
--   CREATE ROLE pend_app LOGIN PASSWORD '...';           -- the server's DATABASE_URL
--   GRANT SELECT, INSERT ON admin_audit_logs, audit_checkpoints TO pend_app;
--   GRANT SELECT, UPDATE ON audit_chain TO pend_app;     -- the head moves with each append
--
-- and keep the owner (who runs migrations) for migrations. Even the owner's changes show:
-- `pend-server audit verify` recomputes the chain and checks the Ed25519-signed
-- checkpoints (audit_checkpoints, also written to the security log) and names the first row
-- that does not match.

CREATE TABLE audit_chain (
  id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  seq BIGINT NOT NULL DEFAULT 0,
  head_hash BYTEA NOT NULL DEFAULT decode(repeat('00', 32), 'hex')
);
INSERT INTO audit_chain DEFAULT VALUES;

ALTER TABLE admin_audit_logs
  ADD COLUMN seq BIGINT UNIQUE,
  ADD COLUMN outcome VARCHAR(20) NOT NULL DEFAULT 'allowed'
    CHECK (outcome IN ('allowed', 'refused', 'pending', 'approved', 'rejected', 'expired')),
  ADD COLUMN prev_hash BYTEA,
  ADD COLUMN row_hash BYTEA;
CREATE INDEX idx_admin_audit_logs_admin_time ON admin_audit_logs (admin_id, timestamp DESC);
CREATE INDEX idx_admin_audit_logs_resource ON admin_audit_logs (resource_type, resource_id);

-- Version 1 of the canonical form (keep it: rows hashed with it must still verify).
CREATE FUNCTION pend_audit_canonical(a admin_audit_logs) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT json_build_array(
    'pend-audit-v1', a.seq, a.id,
    to_char(a.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    a.admin_id, a.action, a.resource_type, a.resource_id, a.old_values, a.new_values,
    host(a.ip_address), a.user_agent, a.session_id, a.justification, a.approval_required,
    a.approved_by, to_char(a.approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    a.outcome, encode(a.prev_hash, 'hex'))::text
$$;

CREATE FUNCTION pend_audit_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_chain FOR UPDATE;  -- one append at a time
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.head_hash;
  IF NEW.timestamp IS NULL THEN NEW.timestamp := now(); END IF;
  NEW.row_hash := sha256(convert_to(pend_audit_canonical(NEW), 'UTF8'));
  UPDATE audit_chain SET seq = NEW.seq, head_hash = NEW.row_hash;
  RETURN NEW;
END
$$;

CREATE FUNCTION pend_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: rows are never updated or deleted', TG_TABLE_NAME
    USING ERRCODE = '42501';
END
$$;

-- Rows written before this migration join the chain in the order they were written.
DO $$
DECLARE
  r RECORD;
  head audit_chain%ROWTYPE;
  canonical text;
BEGIN
  FOR r IN SELECT id FROM admin_audit_logs ORDER BY timestamp NULLS FIRST, id LOOP
    SELECT * INTO head FROM audit_chain;
    UPDATE admin_audit_logs SET seq = head.seq + 1, prev_hash = head.head_hash,
      timestamp = coalesce(timestamp, now()) WHERE id = r.id;
    SELECT pend_audit_canonical(a) INTO canonical FROM admin_audit_logs a WHERE a.id = r.id;
    UPDATE admin_audit_logs SET row_hash = sha256(convert_to(canonical, 'UTF8')) WHERE id = r.id;
    UPDATE audit_chain SET seq = head.seq + 1,
      head_hash = (SELECT row_hash FROM admin_audit_logs WHERE id = r.id);
  END LOOP;
END
$$;

ALTER TABLE admin_audit_logs ALTER COLUMN seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN row_hash SET NOT NULL;

CREATE TRIGGER admin_audit_logs_append BEFORE INSERT ON admin_audit_logs
  FOR EACH ROW EXECUTE FUNCTION pend_audit_append();
CREATE TRIGGER admin_audit_logs_append_only BEFORE UPDATE OR DELETE ON admin_audit_logs
  FOR EACH ROW EXECUTE FUNCTION pend_audit_refuse_change();
CREATE TRIGGER admin_audit_logs_no_truncate BEFORE TRUNCATE ON admin_audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION pend_audit_refuse_change();

-- Signed heads of the chain (Ed25519 over pend-audit-checkpoint-v1, seq, row hash, time):
-- proof of what the chain was at seq, which no one without admin.audit_signing_key can
-- forge after rewriting the rows.
CREATE TABLE audit_checkpoints (
  seq BIGINT PRIMARY KEY,
  row_hash BYTEA NOT NULL CHECK (length(row_hash) = 32),
  created_at TIMESTAMPTZ NOT NULL,
  public_key BYTEA NOT NULL CHECK (length(public_key) = 32),
  signature BYTEA NOT NULL CHECK (length(signature) = 64)
);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION pend_audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION pend_audit_refuse_change();
