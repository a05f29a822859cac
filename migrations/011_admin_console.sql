-- 011_admin_console: the admin panel's investigations and changes (docs/architecture/admin.md).

-- An admin created by a superadmin gets a one-time password: it must be replaced at the
-- first sign-in, before the authenticator step.
ALTER TABLE admin_users ADD COLUMN password_must_change BOOLEAN NOT NULL DEFAULT false;

-- Four-eyes approvals: an action listed in admin.approval_required waits here, with what it
-- would do (params), until a different admin decides it or it expires. The requester can
-- never decide their own (the CHECK is the last word, the service the first).
CREATE TABLE admin_approvals (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  action VARCHAR(100) COLLATE "C" NOT NULL,
  resource_type VARCHAR(50) COLLATE "C" NOT NULL,
  resource_id VARCHAR(255) COLLATE "C" NOT NULL,
  params JSONB NOT NULL DEFAULT '{}',
  justification TEXT NOT NULL CHECK (length(justification) > 0),
  requested_by UUID NOT NULL REFERENCES admin_users(id),
  requested_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL CHECK (expires_at > requested_at),
  status VARCHAR(20) COLLATE "C" NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  decided_by UUID REFERENCES admin_users(id),
  decided_at TIMESTAMPTZ,
  decision_justification TEXT,
  request_audit_id UUID NOT NULL REFERENCES admin_audit_logs(id),
  CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX idx_admin_approvals_pending ON admin_approvals (requested_at, id)
  WHERE status = 'pending';

-- One request's whole story, and a correlated flow's, from server_logs (both partitioned by
-- time like the table).
CREATE INDEX idx_server_logs_request_id ON server_logs (request_id, timestamp)
  WHERE request_id IS NOT NULL;
CREATE INDEX idx_server_logs_correlation_id ON server_logs (correlation_id, timestamp)
  WHERE correlation_id IS NOT NULL;

-- The admin user search: newest first, by status and tier.
CREATE INDEX idx_users_created ON users (created_at DESC, id DESC);
CREATE INDEX idx_users_status_created ON users (status, created_at DESC, id DESC);

-- Security events by user and by type (the investigation filters).
CREATE INDEX idx_security_events_user ON security_events (user_id, timestamp DESC)
  WHERE user_id IS NOT NULL;
CREATE INDEX idx_security_events_type ON security_events (event_type, timestamp DESC);

-- The audit query by action and time.
CREATE INDEX idx_admin_audit_logs_action_time ON admin_audit_logs (action, timestamp DESC);
CREATE INDEX idx_admin_audit_logs_time ON admin_audit_logs (timestamp DESC, seq DESC);
