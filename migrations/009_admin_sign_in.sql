-- 009_admin_sign_in: admins sign in with a password and a TOTP code (docs/architecture/admin.md).

-- TOTP (RFC 6238) state beside the admin's row. Both secrets are XChaCha20-Poly1305 boxes
-- under admin.totp_key, bound to the admin's id: totp_pending_encrypted holds the secret of
-- an enrolment shown but not yet confirmed with a code. totp_last_step is the 30 s step of
-- the last code accepted: a code is accepted once (its step must be later), which also
-- settles two sign-ins racing with the same code. lockouts doubles the next lock-out.
ALTER TABLE admin_users
  ADD COLUMN totp_pending_encrypted BYTEA,
  ADD COLUMN totp_last_step BIGINT,
  ADD COLUMN totp_enrolled_at TIMESTAMPTZ,
  ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0);

-- Ten one-time recovery codes per admin, given at enrolment; only their HMAC is kept.
CREATE TABLE admin_recovery_codes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  admin_id UUID NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
  code_mac BYTEA NOT NULL CHECK (length(code_mac) = 32),
  created_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  UNIQUE (admin_id, code_mac)
);
