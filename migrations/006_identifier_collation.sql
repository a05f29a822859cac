-- The high-volume tables' indexed text columns hold machine identifiers (categories, event
-- types, route templates, methods, metric names), never prose: they compare byte by byte
-- (collation "C") rather than by the database's locale, which makes every index insert and
-- lookup on them cheaper (measured: docs/benchmarks.md, "Logging pipeline") and sorts them
-- the same on every server. Types and widths stay as the plan has them. On a partitioned
-- table this rewrites each partition once.
ALTER TABLE server_logs
  ALTER COLUMN level TYPE VARCHAR(10) COLLATE "C",
  ALTER COLUMN category TYPE VARCHAR(50) COLLATE "C",
  ALTER COLUMN event_type TYPE VARCHAR(50) COLLATE "C",
  ALTER COLUMN endpoint TYPE VARCHAR(255) COLLATE "C",
  ALTER COLUMN method TYPE VARCHAR(10) COLLATE "C";

ALTER TABLE api_metrics
  ALTER COLUMN endpoint TYPE VARCHAR(255) COLLATE "C",
  ALTER COLUMN method TYPE VARCHAR(10) COLLATE "C",
  ALTER COLUMN error_type TYPE VARCHAR(50) COLLATE "C";

ALTER TABLE system_metrics
  ALTER COLUMN server_instance TYPE VARCHAR(50) COLLATE "C",
  ALTER COLUMN metric_type TYPE VARCHAR(50) COLLATE "C",
  ALTER COLUMN metric_name TYPE VARCHAR(100) COLLATE "C";
