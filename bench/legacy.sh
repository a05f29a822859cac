#!/usr/bin/env bash
# bench/legacy.sh: `pend-server import-legacy` of a generated legacy directory
# (bench/legacy-gen.mjs: BENCH_USERS, 1,000,000, wallets and BENCH_LOGS, 1,000,000, log
# entries) into a throwaway migrated PostgreSQL: records/s and the importer's peak resident
# memory, then the re-run (nothing to insert) and --verify. Beside it, in the same run, the
# database's ceiling: the same number of rows put into the same tables (same indexes) by
# one INSERT ... SELECT generate_series each, in a second database: no client, no parsing,
# no staging. Release build; the database with stock settings.
#
# Prints a markdown table. Raw output: build/bench-legacy/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

USERS=${BENCH_USERS:-1000000}
LOGS=${BENCH_LOGS:-1000000}
OUT=build/bench-legacy

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
bench_temp legacy

pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port"
start_postgres "$TMP/pg" "$pg_port"
ensure_database "$pg_port" pend_bench
ensure_database "$pg_port" pend_ceiling
for db in pend_bench pend_ceiling; do
  DATABASE_URL="postgresql://$db@127.0.0.1:$pg_port/$db" PEND_ENV=development \
    build/release/pend-server migrate --no-dotenv >/dev/null
done
DB_URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"

log "generating $USERS wallets and $LOGS log entries"
node bench/legacy-gen.mjs --out "$TMP/legacy" --users "$USERS" --logs "$LOGS" 2>"$OUT/generate.txt"
sizes=$(du -m "$TMP/legacy/wallet-db.json" "$TMP/legacy/server-logs.json" | awk '{print $1}' | paste -sd/)

# seconds and peak RSS (MiB) of one import-legacy run, from GNU time.
import() {
  local name=$1
  shift
  DATABASE_URL=$DB_URL PEND_ENV=development LOG_DIR="$TMP/logs" /usr/bin/time -v \
    build/release/pend-server import-legacy --no-dotenv --from "$TMP/legacy" \
    --rejects "$OUT/rejects.jsonl" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err" ||
    die "import-legacy $name failed ($OUT/$name.err)"
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$OUT/$name.err" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/$name.err")
  echo "$wall $((rss / 1024))"
}

log "importing"
read -r import_s import_rss < <(import import)
log "importing again (nothing to insert)"
read -r again_s again_rss < <(import again)
log "verifying"
read -r verify_s verify_rss < <(import verify --verify)
grep -q "verified: every accepted record" "$OUT/verify.txt" || die "verify failed ($OUT/verify.txt)"

log "database ceiling"
ceiling_start=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 "postgresql://pend_ceiling@127.0.0.1:$pg_port/pend_ceiling" <<SQL
INSERT INTO users (phone_hash, blockchain_address, tier, status, country_code, created_at,
                   updated_at, metadata)
SELECT encode(sha256(('p' || i)::bytea), 'hex'),
       '0x' || substr(encode(sha256(('a' || i)::bytea), 'hex'), 1, 40), i % 3, 'active', 'GB',
       now() - i * interval '1 second', now(), '{"imported_from": "wallet-db.json"}'
FROM generate_series(1, $USERS) i;
INSERT INTO server_logs (id, timestamp, level, category, event_type, metadata)
SELECT gen_random_uuid(), timestamp '2023-11-14 22:13:20+00' + i * interval '1 second', 'info',
       'API', 'LEGACY_LOG', jsonb_build_object('message', 'GET /api/wallet ' || i, 'legacy', true)
FROM generate_series(1, $LOGS) i;
SQL
ceiling_s=$(awk -v a="$ceiling_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

records=$((USERS + LOGS))
rate() { awk -v n="$records" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
echo
echo "| run ($USERS wallets + $LOGS log entries, files ${sizes} MiB) | seconds | records/s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
echo "| import-legacy | $import_s | $(rate "$import_s") | $import_rss |"
echo "| import-legacy again (nothing to insert) | $again_s | $(rate "$again_s") | $again_rss |"
echo "| import-legacy --verify | $verify_s | $(rate "$verify_s") | $verify_rss |"
echo "| database ceiling: INSERT ... SELECT generate_series | $ceiling_s | $(rate "$ceiling_s") | |"
echo
grep "inserted in" "$OUT/import.txt" || true
