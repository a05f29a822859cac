-- 002_enhanced_logging: the high-volume tables, range-partitioned by month on "timestamp"
-- ("Partitioning for Log Tables (for production scale)" in PLAN.md). Their primary key is
-- (id, timestamp) because a partitioned table's keys must include the partition key. Each has
-- a DEFAULT partition so that no insert ever fails for want of a month.

-- Creates the monthly partitions (UTC months) of parent from this month through
-- months_ahead months ahead; returns how many it created. Idempotent.
CREATE FUNCTION pend_ensure_monthly_partitions(parent regclass, months_ahead integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  partition_name text;
  created integer := 0;
BEGIN
  FOR i IN 0..months_ahead LOOP
    partition_name := format('%s_%s', parent::text, to_char(month_start, 'YYYY_MM'));
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                     partition_name, parent,
                     (month_start AT TIME ZONE 'UTC')::text,
                     ((month_start + interval '1 month') AT TIME ZONE 'UTC')::text);
      created := created + 1;
    END IF;
    month_start := month_start + interval '1 month';
  END LOOP;
  RETURN created;
END;
$$;

-- Enhanced Server Logging with Full Audit Trail.
CREATE TABLE server_logs (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  level VARCHAR(10) NOT NULL CHECK (level IN ('error', 'warn', 'info', 'debug', 'trace')),
  category VARCHAR(50) NOT NULL,
  event_type VARCHAR(50) NOT NULL,
  user_id UUID REFERENCES users(id),
  admin_id UUID REFERENCES admin_users(id),
  session_id VARCHAR(100),
  request_id VARCHAR(36),
  correlation_id VARCHAR(36),
  ip_address INET,
  user_agent TEXT,
  endpoint VARCHAR(255),
  method VARCHAR(10),
  status_code INTEGER,
  response_time_ms INTEGER,
  request_size_bytes INTEGER,
  response_size_bytes INTEGER,
  error_code VARCHAR(50),
  error_message TEXT,
  error_stack TEXT,
  request_data JSONB,
  response_data JSONB,
  metadata JSONB DEFAULT '{}',
  PRIMARY KEY (id, timestamp),
  CONSTRAINT valid_http_method CHECK (method IN ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS')),
  CONSTRAINT valid_status_code CHECK (status_code >= 100 AND status_code <= 599)
) PARTITION BY RANGE (timestamp);

-- API Performance Metrics with Time-Series Data.
CREATE TABLE api_metrics (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  endpoint VARCHAR(255) NOT NULL,
  method VARCHAR(10) NOT NULL,
  response_time_ms INTEGER,
  status_code INTEGER,
  request_size_bytes INTEGER,
  response_size_bytes INTEGER,
  cache_hit BOOLEAN DEFAULT false,
  user_id UUID REFERENCES users(id),
  error_type VARCHAR(50),
  database_query_time_ms INTEGER,
  external_api_time_ms INTEGER,
  concurrent_requests INTEGER,
  memory_usage_mb DECIMAL(10,2),
  cpu_usage_percent DECIMAL(5,2),
  PRIMARY KEY (id, timestamp)
) PARTITION BY RANGE (timestamp);

-- System Health and Resource Metrics.
CREATE TABLE system_metrics (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  server_instance VARCHAR(50) NOT NULL,
  metric_type VARCHAR(50) NOT NULL,
  metric_name VARCHAR(100) NOT NULL,
  value DECIMAL(18,6),
  unit VARCHAR(20),
  threshold_warning DECIMAL(18,6),
  threshold_critical DECIMAL(18,6),
  alert_sent BOOLEAN DEFAULT false,
  metadata JSONB DEFAULT '{}',
  PRIMARY KEY (id, timestamp)
) PARTITION BY RANGE (timestamp);

-- Security Events and Threat Detection.
CREATE TABLE security_events (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  event_type VARCHAR(50) NOT NULL,
  severity VARCHAR(10) CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  user_id UUID REFERENCES users(id),
  ip_address INET,
  user_agent TEXT,
  endpoint VARCHAR(255),
  threat_indicators JSONB,
  automatic_action_taken VARCHAR(100),
  investigated BOOLEAN DEFAULT false,
  investigated_by UUID REFERENCES admin_users(id),
  investigation_notes TEXT,
  false_positive BOOLEAN DEFAULT false,
  PRIMARY KEY (id, timestamp)
) PARTITION BY RANGE (timestamp);

CREATE TABLE server_logs_default PARTITION OF server_logs DEFAULT;
CREATE TABLE api_metrics_default PARTITION OF api_metrics DEFAULT;
CREATE TABLE system_metrics_default PARTITION OF system_metrics DEFAULT;
CREATE TABLE security_events_default PARTITION OF security_events DEFAULT;

-- This month and the next three; the partition maintainer keeps the window moving.
SELECT pend_ensure_monthly_partitions('server_logs', 3);
SELECT pend_ensure_monthly_partitions('api_metrics', 3);
SELECT pend_ensure_monthly_partitions('system_metrics', 3);
SELECT pend_ensure_monthly_partitions('security_events', 3);
