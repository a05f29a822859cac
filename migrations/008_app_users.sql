-- 008_app_users: app users' sign-up and sign-in (docs/architecture/auth.md).

-- One-time codes sent by SMS. Only the code's HMAC is kept; submissions are counted in the
-- row before any comparison (attempts), so concurrent guesses at one code cannot exceed the
-- budget; consumed_at makes a code single-use. Caps per phone and per client address are
-- counted from these rows, so asking for a new code never resets them.
CREATE TABLE auth_codes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  phone_hash VARCHAR(64) COLLATE "C" NOT NULL,
  purpose VARCHAR(20) COLLATE "C" NOT NULL
    CHECK (purpose IN ('register', 'login', 'change_address')),
  code_mac BYTEA NOT NULL CHECK (length(code_mac) = 32),
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL CHECK (expires_at > created_at),
  attempts SMALLINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  consumed_at TIMESTAMPTZ,
  request_ip INET,
  country_code VARCHAR(3)
);
CREATE INDEX idx_auth_codes_phone_created ON auth_codes (phone_hash, created_at DESC);
CREATE INDEX idx_auth_codes_ip_created ON auth_codes (request_ip, created_at DESC);

-- EIP-4361 challenges: a nonce is issued for one address and can be used once.
CREATE TABLE auth_nonces (
  nonce VARCHAR(64) COLLATE "C" PRIMARY KEY,
  address VARCHAR(42) COLLATE "C" NOT NULL,
  issued_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL CHECK (expires_at > issued_at),
  used_at TIMESTAMPTZ
);
CREATE INDEX idx_auth_nonces_expires ON auth_nonces (expires_at);

-- Lock-outs double with each one: how many there have been since the last success.
ALTER TABLE users ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0);

-- The countries a user has signed in from (when a trusted proxy says which), for the
-- new-country rule.
CREATE TABLE user_sign_in_countries (
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  country_code VARCHAR(3) COLLATE "C" NOT NULL,
  first_seen_at TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, country_code)
);

-- Failed codes by client address, for the across-accounts rule.
CREATE INDEX idx_security_events_type_ip ON security_events (event_type, ip_address, timestamp DESC);
