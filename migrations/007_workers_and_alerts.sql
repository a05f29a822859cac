-- Background workers (src/workers): each run of each worker, for the admin panel and for
-- proving that a cluster-wide worker never ran on two instances at once. Kept
-- cleanup.worker_runs_retention_days.
CREATE TABLE worker_runs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker VARCHAR(50) COLLATE "C" NOT NULL,
  server_instance VARCHAR(50) COLLATE "C" NOT NULL,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at TIMESTAMPTZ,
  outcome VARCHAR(20) COLLATE "C" CHECK (outcome IN ('ok', 'failed', 'deadline_exceeded')),
  summary JSONB NOT NULL DEFAULT '{}',  -- what the run did (rows written, files removed, ...)
  error TEXT,
  CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX idx_worker_runs_worker_started ON worker_runs (worker, started_at DESC);

-- Alerts (src/workers/alerting): one row per alert key (a threshold on one instance's
-- metric, or a rule on one route, at one severity), its open or last incident, and what was
-- sent about it. The webhook's cooldown and "one message per incident plus its resolution"
-- are decided from here, so they hold across restarts and a change of leader.
CREATE TABLE alerts (
  key VARCHAR(200) COLLATE "C" PRIMARY KEY,
  source VARCHAR(20) NOT NULL CHECK (source IN ('threshold', 'rule')),
  name VARCHAR(100) COLLATE "C" NOT NULL,  -- the metric or the rule
  subject VARCHAR(255) NOT NULL,           -- the instance, or the route
  severity VARCHAR(10) NOT NULL CHECK (severity IN ('warning', 'critical')),
  category VARCHAR(20) NOT NULL CHECK (category IN ('PERFORMANCE', 'SECURITY')),
  firing BOOLEAN NOT NULL,
  value DOUBLE PRECISION,      -- the last evaluated value
  threshold DOUBLE PRECISION,  -- the level it is compared with
  opened_at TIMESTAMPTZ NOT NULL,
  resolved_at TIMESTAMPTZ,
  notify BOOLEAN NOT NULL,              -- this incident gets messages (false: in cooldown)
  firing_sent_at TIMESTAMPTZ,           -- the incident's message delivered
  resolved_sent_at TIMESTAMPTZ,         -- its resolution delivered
  last_message_at TIMESTAMPTZ,          -- any message for this key: the cooldown's start
  attempts INTEGER NOT NULL DEFAULT 0,  -- failed deliveries of what is pending
  last_error TEXT,
  -- The system_metrics row that opened the incident: its alert_sent is set once the
  -- incident's message is out.
  metric_id UUID,
  metric_timestamp TIMESTAMPTZ
);
CREATE INDEX idx_alerts_firing ON alerts (firing, opened_at DESC);
