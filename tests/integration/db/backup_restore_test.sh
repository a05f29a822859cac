#!/usr/bin/env bash
# Backup then restore round-trip: migrate and seed a fresh database, add a row, back it up,
# restore into another fresh database, and compare. Run by CTest (needs scripts/test's
# PostgreSQL: PEND_TEST_DATABASE_URL). Usage: backup_restore_test.sh SOURCE_DIR BINARY
set -euo pipefail
src=$1 binary=$2
cd "$src"
source scripts/lib/services.sh
if [ -z "${PEND_TEST_DATABASE_URL:-}" ]; then echo "SKIPPED: no PEND_TEST_DATABASE_URL"; exit 0; fi

base=${PEND_TEST_DATABASE_URL%/*}
a="pend_backup_a_$$" b="pend_backup_b_$$"
work=$(mktemp -d "${PEND_TEST_TMPDIR:-/tmp}/backup.XXXXXX")
cleanup() {
  "$PG_BIN/psql" "$PEND_TEST_DATABASE_URL" -qX -c "DROP DATABASE IF EXISTS $a WITH (FORCE)" -c "DROP DATABASE IF EXISTS $b WITH (FORCE)" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$PG_BIN/psql" "$PEND_TEST_DATABASE_URL" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $a" -c "CREATE DATABASE $b"

export PEND_ENV=test
DATABASE_URL="$base/$a" "$binary" migrate --no-dotenv >/dev/null
DATABASE_URL="$base/$a" ADMIN_EMAIL=ops@pend.example ADMIN_PASSWORD='backup round trip' \
  "$binary" seed --no-dotenv >/dev/null
"$PG_BIN/psql" "$base/$a" -qX -v ON_ERROR_STOP=1 -c \
  "INSERT INTO server_logs (level, category, event_type, error_message) VALUES ('info', 'API', 'BACKUP_TEST', 'ünïcode ✓')"

dump=$(DATABASE_URL="$base/$a" BACKUP_DIR="$work" BACKUP_KEEP=2 scripts/db/backup)
sleep 1.1  # distinct timestamps: the retention below keeps the newest two of three
DATABASE_URL="$base/$a" BACKUP_DIR="$work" BACKUP_KEEP=2 scripts/db/backup >/dev/null
sleep 1.1
DATABASE_URL="$base/$a" BACKUP_DIR="$work" BACKUP_KEEP=2 scripts/db/backup >/dev/null
kept=$(ls -1 "$work"/pend-*.dump | wc -l)
[ "$kept" = 2 ] || { echo "FAIL: BACKUP_KEEP=2 kept $kept dumps"; exit 1; }
[ ! -e "$dump" ] || { echo "FAIL: the oldest dump was not removed"; exit 1; }
newest=$(ls -1 "$work"/pend-*.dump | sort | tail -1)

DATABASE_URL="$base/$b" PATH="$(dirname "$binary"):$PATH" scripts/db/restore "$newest" >"$work/status.txt"
expected=$(ls -1 migrations/*.sql | wc -l)
grep -c ' applied ' "$work/status.txt" | grep -qx "$expected" || { echo "FAIL: migrate status after restore:"; cat "$work/status.txt"; exit 1; }
for q in "SELECT error_message FROM server_logs WHERE event_type = 'BACKUP_TEST'" \
         "SELECT email || ' ' || role FROM admin_users" \
         "SELECT count(*) FROM system_config" \
         "SELECT count(*) FROM pg_inherits WHERE inhparent = 'server_logs'::regclass"; do
  left=$("$PG_BIN/psql" "$base/$a" -qtAX -c "$q")
  right=$("$PG_BIN/psql" "$base/$b" -qtAX -c "$q")
  [ "$left" = "$right" ] || { echo "FAIL: '$q' gave '$left' before and '$right' after"; exit 1; }
done
# Restoring into a database that is not empty is refused.
if DATABASE_URL="$base/$b" PATH="$(dirname "$binary"):$PATH" scripts/db/restore "$newest" >/dev/null 2>&1; then
  echo "FAIL: restore into a non-empty database was accepted"; exit 1
fi
echo "backup/restore round trip: 1 passed, 0 failed"
