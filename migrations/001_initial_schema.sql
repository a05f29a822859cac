-- 001_initial_schema: identities and durable facts (PLAN.md "Enhanced Database Architecture").
-- Applied in one transaction by `pend-server migrate`; never edited once released.

-- updated_at maintained by the database, whoever writes the row.
CREATE FUNCTION pend_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := NOW();
  RETURN NEW;
END;
$$;

-- Administrators of the admin panel. The plan references admin_users without defining it.
CREATE TABLE admin_users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email VARCHAR(255) NOT NULL CHECK (email = btrim(email) AND position('@' IN email) > 1),
  display_name VARCHAR(100) NOT NULL,
  password_hash TEXT NOT NULL,                 -- Argon2id (libsodium crypto_pwhash_str)
  totp_secret_encrypted BYTEA,                 -- XChaCha20-Poly1305; NULL until enrolled
  role VARCHAR(20) NOT NULL DEFAULT 'viewer'
    CHECK (role IN ('viewer', 'support', 'compliance', 'admin', 'superadmin')),
  status VARCHAR(20) NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'disabled')),
  failed_login_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_login_attempts >= 0),
  locked_until TIMESTAMPTZ,
  last_login_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE UNIQUE INDEX admin_users_email_unique ON admin_users (lower(email));
CREATE TRIGGER admin_users_touch BEFORE UPDATE ON admin_users
  FOR EACH ROW EXECUTE FUNCTION pend_touch_updated_at();

-- Core Users & Identity Management (the plan's columns and checks).
CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  phone_hash VARCHAR(64) UNIQUE NOT NULL,
  blockchain_address VARCHAR(42) UNIQUE NOT NULL,
  tier INTEGER DEFAULT 0 CHECK (tier >= 0 AND tier <= 5),
  status VARCHAR(20) DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
  email VARCHAR(255),
  country_code VARCHAR(3),
  registration_ip INET,
  last_login_at TIMESTAMPTZ,
  login_count INTEGER DEFAULT 0,
  failed_login_attempts INTEGER DEFAULT 0,
  locked_until TIMESTAMPTZ,
  metadata JSONB DEFAULT '{}',
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE TRIGGER users_touch BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION pend_touch_updated_at();

-- Blockchain Event Processing.
CREATE TABLE blockchain_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ DEFAULT NOW(),
  event_type VARCHAR(50) NOT NULL,
  contract_address VARCHAR(42),
  transaction_hash VARCHAR(66),
  block_number BIGINT,
  block_hash VARCHAR(66),
  log_index INTEGER,
  event_signature VARCHAR(66),
  decoded_data JSONB,
  raw_data TEXT,
  processed BOOLEAN DEFAULT false,
  processing_attempts INTEGER DEFAULT 0,
  last_processing_error TEXT,
  processed_at TIMESTAMPTZ
);

-- Admin Activity Audit Trail.
CREATE TABLE admin_audit_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ DEFAULT NOW(),
  admin_id UUID REFERENCES admin_users(id),
  action VARCHAR(100) NOT NULL,
  resource_type VARCHAR(50),
  resource_id VARCHAR(255),
  old_values JSONB,
  new_values JSONB,
  ip_address INET,
  user_agent TEXT,
  session_id VARCHAR(100),
  justification TEXT,
  approval_required BOOLEAN DEFAULT false,
  approved_by UUID REFERENCES admin_users(id),
  approved_at TIMESTAMPTZ
);

-- System configuration rows (`pend-server seed` writes the defaults).
CREATE TABLE system_config (
  key VARCHAR(100) PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]*$'),
  value JSONB NOT NULL,
  description TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TRIGGER system_config_touch BEFORE UPDATE ON system_config
  FOR EACH ROW EXECUTE FUNCTION pend_touch_updated_at();
