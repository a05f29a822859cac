-- 012_kyc: identity documents and the submissions that raise a user's tier
-- (docs/architecture/kyc.md). The documents themselves are files, sealed, under
-- storage.upload_dir; a row names its file by the server-generated storage_key.

-- A user's request for a tier: a draft gathers documents, is submitted, and is approved or
-- rejected by a compliance admin (tiers from kyc.second_review_from_tier by two).
CREATE TABLE kyc_submissions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  target_tier INTEGER NOT NULL CHECK (target_tier BETWEEN 1 AND 5),
  status VARCHAR(20) COLLATE "C" NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
  required_documents TEXT[] NOT NULL,
  enhanced_review BOOLEAN NOT NULL DEFAULT false,
  previous_tier INTEGER,
  submitted_at TIMESTAMPTZ,
  decided_at TIMESTAMPTZ,
  decided_by UUID REFERENCES admin_users(id),
  decision_reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((status IN ('draft', 'submitted')) = (decided_at IS NULL)),
  CHECK ((status = 'draft') = (submitted_at IS NULL))
);
CREATE TRIGGER kyc_submissions_touch BEFORE UPDATE ON kyc_submissions
  FOR EACH ROW EXECUTE FUNCTION pend_touch_updated_at();
-- One open submission (a draft or one in review) per user.
CREATE UNIQUE INDEX idx_kyc_submissions_open ON kyc_submissions (user_id)
  WHERE status IN ('draft', 'submitted');
-- The review queue: oldest first.
CREATE INDEX idx_kyc_submissions_queue ON kyc_submissions (submitted_at, id)
  WHERE status = 'submitted';
CREATE INDEX idx_kyc_submissions_user ON kyc_submissions (user_id, created_at DESC);

CREATE TABLE kyc_documents (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  submission_id UUID NOT NULL REFERENCES kyc_submissions(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind VARCHAR(32) COLLATE "C" NOT NULL,
  status VARCHAR(20) COLLATE "C" NOT NULL DEFAULT 'uploaded'
    CHECK (status IN ('uploaded', 'approved', 'rejected', 'superseded')),
  reason TEXT,
  storage_key VARCHAR(64) COLLATE "C" NOT NULL UNIQUE,
  key_id VARCHAR(32) COLLATE "C" NOT NULL,
  content_type VARCHAR(50) COLLATE "C" NOT NULL
    CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
  sha256 CHAR(64) COLLATE "C" NOT NULL,
  width INTEGER,
  height INTEGER,
  uploaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  decided_at TIMESTAMPTZ,
  superseded_at TIMESTAMPTZ
);
-- One document of each kind per submission.
CREATE UNIQUE INDEX idx_kyc_documents_kind ON kyc_documents (submission_id, kind);
CREATE INDEX idx_kyc_documents_user ON kyc_documents (user_id);
-- The cleanup worker's retention sweep.
CREATE INDEX idx_kyc_documents_retention ON kyc_documents (coalesce(superseded_at, decided_at))
  WHERE status IN ('rejected', 'superseded');
