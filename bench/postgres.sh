#!/usr/bin/env bash
# bench/postgres.sh: the PostgreSQL data layer against the standard tools, in one run, on a
# throwaway PostgreSQL (defaults, plus max_connections=100):
#
#   point queries, one per round trip:  pg_load --mode point      vs pgbench -S -M prepared
#   point queries, pipelined by BATCH:  pg_load --mode pipelined  vs pgbench \startpipeline
#     (--sync once: one sync point per batch, as pgbench's pipeline; --sync each: a sync
#     point per statement, db::Batch's default, so a failure stays local; pgbench 15 has
#     no per-statement sync inside a pipeline, so that row is compared with the same run)
#   COPY of ROWS server_logs rows:      pg_load --mode copy       vs psql \copy of the same rows
#
# Both sides use the same number of connections (CONCURRENCY: pg_load spreads them over 2
# shards, pgbench over 2 threads) and the pgbench_accounts table of `pgbench -i -s 10`.
# Prints a markdown table; raw output goes to build/bench-postgres/.
#
# Environment: BENCH_SECONDS (10), BENCH_CONCURRENCY (16), BENCH_BATCH (16), BENCH_ROWS
# (1000000). The machine has 2 cores shared by PostgreSQL and the client under test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

SECS=${BENCH_SECONDS:-10}
CONCURRENCY=${BENCH_CONCURRENCY:-16}
BATCH=${BENCH_BATCH:-16}
ROWS=${BENCH_ROWS:-1000000}
OUT=build/bench-postgres
COPY_COLUMNS="level, category, event_type, request_id, ip_address, user_agent, endpoint, method, status_code, response_time_ms, response_size_bytes, metadata"

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
mkdir -p "$OUT"

TMP=$(mktemp -d /tmp/pend-bench-pg.XXXXXX)
chmod 755 "$TMP"
cleanup() { stop_postgres "$TMP/pg" || true; rm -rf "$TMP"; }
trap cleanup EXIT

port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$port"
start_postgres "$TMP/pg" "$port" "-c max_connections=100"
ensure_database "$port" pend_bench
URL="postgresql://pend_bench@127.0.0.1:$port/pend_bench"
PGB=(-h 127.0.0.1 -p "$port" -U pend_bench)

log "migrating and loading pgbench_accounts (scale 10)"
DATABASE_URL=$URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null
"$PG_BIN/pgbench" "${PGB[@]}" -i -q -s 10 pend_bench >"$OUT/pgbench-init.txt" 2>&1
accounts=1000000

tps() { sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$1" | tail -1; }
result() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }

log "point queries, one per round trip ($CONCURRENCY connections, ${SECS}s each)"
"$PG_BIN/pgbench" "${PGB[@]}" -n -S -M prepared -c "$CONCURRENCY" -j 2 -T "$SECS" pend_bench \
  >"$OUT/pgbench-point.txt" 2>&1
build/release/bench/pg_load --url "$URL" --mode point --threads 2 \
  --concurrency "$CONCURRENCY" --seconds "$SECS" --accounts "$accounts" >"$OUT/pg_load-point.txt"
pgbench_point=$(tps "$OUT/pgbench-point.txt" | cut -d. -f1)
ours_point=$(result "$OUT/pg_load-point.txt" qps)

log "point queries pipelined by $BATCH"
{
  for i in $(seq "$BATCH"); do echo "\\set aid$i random(1, 100000 * :scale)"; done
  echo '\startpipeline'
  for i in $(seq "$BATCH"); do echo "SELECT abalance FROM pgbench_accounts WHERE aid = :aid$i;"; done
  echo '\endpipeline'
} >"$TMP/pipeline.sql"
"$PG_BIN/pgbench" "${PGB[@]}" -n -M prepared -f "$TMP/pipeline.sql" -c "$CONCURRENCY" -j 2 \
  -T "$SECS" pend_bench >"$OUT/pgbench-pipelined.txt" 2>&1
for sync in once each; do
  build/release/bench/pg_load --url "$URL" --mode pipelined --threads 2 --batch "$BATCH" \
    --sync "$sync" --concurrency "$CONCURRENCY" --seconds "$SECS" --accounts "$accounts" \
    >"$OUT/pg_load-pipelined-$sync.txt"
done
pgbench_pipelined=$(awk -v t="$(tps "$OUT/pgbench-pipelined.txt")" -v b="$BATCH" 'BEGIN { printf "%.0f", t * b }')
ours_once=$(result "$OUT/pg_load-pipelined-once.txt" qps)
ours_each=$(result "$OUT/pg_load-pipelined-each.txt" qps)

log "COPY of $ROWS server_logs rows"
build/release/bench/pg_load --mode copy-file --rows "$ROWS" >"$TMP/rows.txt"
psql=("$PG_BIN/psql" "${PGB[@]}" -d pend_bench -X -q -v ON_ERROR_STOP=1)
"${psql[@]}" -c "TRUNCATE server_logs"
start=$(date +%s.%N)
"${psql[@]}" -c "\\copy server_logs ($COPY_COLUMNS) FROM '$TMP/rows.txt'"
end=$(date +%s.%N)
psql_rows=$(awk -v s="$start" -v e="$end" -v n="$ROWS" 'BEGIN { printf "%.0f", n / (e - s) }')
"${psql[@]}" -c "TRUNCATE server_logs"
build/release/bench/pg_load --url "$URL" --mode copy --rows "$ROWS" >"$OUT/pg_load-copy.txt"
ours_copy=$(result "$OUT/pg_load-copy.txt" rows_per_s)
copied=$("${psql[@]}" -t -A -c "SELECT count(*) FROM server_logs")
[ "$copied" = "$ROWS" ] || die "COPY loaded $copied rows, expected $ROWS"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
{
  echo "| work | pend-server data layer | reference | ours / reference |"
  echo "|---|---:|---:|---:|"
  echo "| point SELECT, 1 per round trip, $CONCURRENCY connections | $ours_point q/s | $pgbench_point q/s (pgbench -S -M prepared) | $(ratio "$ours_point" "$pgbench_point") |"
  echo "| point SELECT, pipelined by $BATCH, one sync per batch, $CONCURRENCY connections | $ours_once q/s | $pgbench_pipelined q/s (pgbench \\startpipeline) | $(ratio "$ours_once" "$pgbench_pipelined") |"
  echo "| point SELECT, pipelined by $BATCH, a sync per statement, $CONCURRENCY connections | $ours_each q/s | (same pgbench run) | $(ratio "$ours_each" "$pgbench_pipelined") |"
  echo "| COPY server_logs, $ROWS rows | $ours_copy rows/s | $psql_rows rows/s (psql \\copy) | $(ratio "$ours_copy" "$psql_rows") |"
} | tee "$OUT/results.md"
