-- 004_partition_retention: dropping monthly partitions past a table's retention.

-- Detaches and drops parent's monthly partitions (<table>_YYYY_MM) whose month ended more
-- than keep ago; never the DEFAULT partition. Returns the names it dropped.
CREATE FUNCTION pend_drop_expired_partitions(parent regclass, keep interval)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  child regclass;
  child_name text;
  suffix text;
  month_end timestamptz;
BEGIN
  FOR child IN
    SELECT i.inhrelid::regclass FROM pg_inherits i
    WHERE i.inhparent = parent
      AND NOT (SELECT c.relpartbound IS NOT NULL AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
               FROM pg_class c WHERE c.oid = i.inhrelid)
  LOOP
    child_name := child::text;  -- before the drop: a dropped regclass prints as its OID
    suffix := right(child_name, 7);
    CONTINUE WHEN suffix !~ '^\d{4}_\d{2}$';
    month_end := (to_date(suffix, 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    IF month_end <= now() - keep THEN
      EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, child);
      EXECUTE format('DROP TABLE %s', child);
      RETURN NEXT child_name;
    END IF;
  END LOOP;
END;
$$;
