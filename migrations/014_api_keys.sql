-- 014_api_keys: keys for the Etherscan-compatible API (docs/api/etherscan.md), made and
-- revoked by admins (api_keys.manage, audited). The key itself is shown once when it is made
-- and stored only as its SHA-256 (a random 32-character key needs no slow hash); the
-- prefix lets an admin tell keys apart. Each key has its own limits: calls a second and,
-- when set, calls a day. Anonymous callers get the rate_limit.rules of group etherscan.
CREATE TABLE api_keys (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  key_hash CHAR(64) COLLATE "C" NOT NULL UNIQUE,
  key_prefix VARCHAR(8) COLLATE "C" NOT NULL,
  name VARCHAR(100) NOT NULL CHECK (length(name) > 0),
  per_second INTEGER NOT NULL CHECK (per_second BETWEEN 1 AND 100000),
  per_day INTEGER CHECK (per_day IS NULL OR per_day > 0),
  status VARCHAR(20) COLLATE "C" NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'revoked')),
  created_by UUID REFERENCES admin_users(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),  -- by admins' changes, not by use
  last_used_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ,
  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX idx_api_keys_created ON api_keys (created_at DESC, id DESC);
