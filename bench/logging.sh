#!/usr/bin/env bash
# bench/logging.sh: pend-server's logging pipeline beside the plan's Node.js stack (winston
# 3 with winston-daily-rotate-file, and the plan's DatabaseTransport: batches of 100, one
# multi-row INSERT each), on this machine, in one run:
#
#   1. the access log's cost per request at full load: pend-server (Release, production's
#      console and file sinks, GET /api/v1/health/live) under wrk -t2 -c200 -d10s with the
#      access log off, then on, five rounds; the medians are compared (single runs on two
#      shared cores vary by several per cent);
#   2. rows/s into server_logs on a throwaway PostgreSQL (migrated): log_load --mode postgres
#      and winston.js postgres, the clock stopped when every row is in the table;
#   3. entries/s to the server-%DATE% file stream: build/release/bench/log_load --mode files
#      (2 producer threads) and node bench/logging/winston.js files, 400,000 / 100,000
#      access-log entries, the clock stopped when every line is in the file.
#   2 and 3 run three times each; the medians count.
#
# Prints a markdown table and the ratios. Raw output: build/bench-logging/. Targets (issue 5):
# at least 10x winston's entries/s, at least 100,000 rows/s into PostgreSQL, under 10%
# request-rate cost for access logging. Environment: BENCH_ENTRIES (400000), BENCH_DURATION
# (10), BENCH_ROUNDS (5), BENCH_LOAD_ROUNDS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ENTRIES=${BENCH_ENTRIES:-400000}
NODE_ENTRIES=$((ENTRIES / 4))
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-5}
LOAD_ROUNDS=${BENCH_LOAD_ROUNDS:-3}
OUT=build/bench-logging
command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"
command -v node >/dev/null || die "node is missing (scripts/install-deps)"

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
log "installing the plan's Node.js logging stack (bench/logging)"
(cd bench/logging && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p "$OUT"

bench_temp logging

result() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }


port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$port"
start_postgres "$TMP/pg" "$port" "-c max_connections=100"
ensure_database "$port" pend_bench
URL="postgresql://pend_bench@127.0.0.1:$port/pend_bench"
DATABASE_URL=$URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null
PSQL=("$PG_BIN/psql" "$URL" -X -q -A -t)

# The access log first, while PostgreSQL is idle (after the loads below it vacuums and
# checkpoints for a while, which would be noise here).
#
# serve NAME ACCESS_LOG: pend-server with production's console and file sinks under a temp
# LOG_DIR (console at warn, the plan's four files; not the PostgreSQL sink, which would put
# the database's work for every request on the same two cores as the load).
SINKS="console warn json,file server info all 100MB 30d,file server-error error all 50MB 90d"
SINKS+=",file server-performance info performance 50MB 7d,file server-security warn security 20MB 180d"
serve() {
  pend_port=$(free_port)
  PEND_ENV=development PORT=$pend_port PEND_SERVER_HOST=127.0.0.1 DATABASE_URL="$URL" \
    PEND_LOG_ACCESS_LOG=$2 LOG_LEVEL=info LOG_DIR="$TMP/logs-$1" PEND_LOG_SINKS="$SINKS" \
    PEND_RATE_LIMIT_ENABLED=false PEND_DATABASE_MAINTAIN_PARTITIONS=false PEND_WORKERS= \
    PEND_METRICS_API_METRICS=false \
    setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$TMP/$1.stderr" &
  pend_pid=$!
  wait_for --pid "$pend_pid" "pend-server" 30 curl -sf "http://127.0.0.1:$pend_port/api/v1/health/live" ||
    die "pend-server did not start"
}
requests() { # requests NAME ACCESS_LOG: requests/s of GET /api/v1/health/live
  serve "$1" "$2"
  local url="http://127.0.0.1:$pend_port/api/v1/health/live"
  wrk -t2 -c200 -d2s "$url" >/dev/null 2>&1 || true
  wrk -t2 -c200 -d"${DURATION}s" --latency -s bench/wrk/report.lua "$url" >"$OUT/$1.txt" 2>&1
  stop_pid "$pend_pid" 30
  pend_pid=""
  rm -rf "$TMP/logs-$1"  # gigabytes per run
  sed -n 's/^RESULT .*rps=\([0-9.]*\).*/\1/p' "$OUT/$1.txt"
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
log "access log cost: wrk -t2 -c200 -d${DURATION}s, off then on, $ROUNDS rounds"
rps_off=() rps_on=()
for round in $(seq "$ROUNDS"); do
  rps_off+=("$(requests "access-log-off-$round" false)")
  rps_on+=("$(requests "access-log-on-$round" true)")
done
median_off=$(median "${rps_off[@]}")
median_on=$(median "${rps_on[@]}")

# Each load runs LOAD_ROUNDS times and the median counts: single loads on this machine vary
# by a quarter (the disk's writeback of earlier steps, other guests). Each starts on an
# empty table right after a checkpoint, so that none falls inside one run and not another.
SUPER=("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d pend_bench -X -q -A -t)
settle() { "${PSQL[@]}" -c "TRUNCATE server_logs"; sync; "${SUPER[@]}" -c "CHECKPOINT"; }
log "PostgreSQL: $ENTRIES rows (pend-server), $NODE_ENTRIES (winston), $LOAD_ROUNDS rounds"
pg_pend_all=() pg_winston_all=()
for round in $(seq "$LOAD_ROUNDS"); do
  settle
  build/release/bench/log_load --mode postgres --entries "$ENTRIES" --url "$URL" \
    --dir "$TMP/pg-pend" >"$OUT/postgres-pend-$round.txt"
  pg_pend_all+=("$(result "$OUT/postgres-pend-$round.txt" per_second)")
  settle
  node bench/logging/winston.js postgres "$NODE_ENTRIES" "$URL" \
    >"$OUT/postgres-winston-$round.txt" 2>/dev/null
  stored=$("${PSQL[@]}" -c "SELECT count(*) FROM server_logs")
  [ "$stored" = "$NODE_ENTRIES" ] || die "winston stored $stored of $NODE_ENTRIES rows"
  pg_winston_all+=("$(result "$OUT/postgres-winston-$round.txt" per_second)")
done
pg_pend=$(median "${pg_pend_all[@]}")
pg_winston=$(median "${pg_winston_all[@]}")

log "files: $ENTRIES entries (pend-server), $NODE_ENTRIES (winston), $LOAD_ROUNDS rounds"
files_pend_all=() files_winston_all=()
for round in $(seq "$LOAD_ROUNDS"); do
  rm -rf "$TMP/files-pend" "$TMP/files-winston"
  build/release/bench/log_load --mode files --entries "$ENTRIES" --dir "$TMP/files-pend" \
    >"$OUT/files-pend-$round.txt"
  files_pend_all+=("$(result "$OUT/files-pend-$round.txt" per_second)")
  mkdir -p "$TMP/files-winston"
  node bench/logging/winston.js files "$NODE_ENTRIES" "$TMP/files-winston" \
    >"$OUT/files-winston-$round.txt"
  files_winston_all+=("$(result "$OUT/files-winston-$round.txt" per_second)")
done
files_pend=$(median "${files_pend_all[@]}")
files_winston=$(median "${files_winston_all[@]}")

echo
echo "| work | pend-server | winston (the plan's stack) | ratio |"
echo "|---|---|---|---|"
awk -v p="$files_pend" -v w="$files_winston" 'BEGIN {
  printf "| access-log entries to server-%%DATE%%.log, entries/s | %d | %d | %.1fx |\n", p, w, p / w }'
awk -v p="$pg_pend" -v w="$pg_winston" 'BEGIN {
  printf "| entries into server_logs, rows/s | %d | %d | %.1fx |\n", p, w, p / w }'
echo
echo "GET /api/v1/health/live at full load, requests/s (access log off / on, by round):"
costs=()
for i in "${!rps_off[@]}"; do
  costs+=("$(awk -v off="${rps_off[$i]}" -v on="${rps_on[$i]}" 'BEGIN { printf "%.1f", 100 * (off - on) / off }')")
  printf '  round %d: %.0f / %.0f: %s%%\n' $((i + 1)) "${rps_off[$i]}" "${rps_on[$i]}" "${costs[$i]}"
done
awk -v on="$median_on" -v off="$median_off" -v paired="$(median "${costs[@]}")" 'BEGIN {
  printf "medians: %d req/s without the access log, %d with it (console at warn, four file streams): %.1f%% cost; median of the rounds'"'"' costs: %s%%\n", off, on, 100 * (off - on) / off, paired }'
echo "by round: server_logs ${pg_pend_all[*]} (winston ${pg_winston_all[*]}) rows/s;" \
  "files ${files_pend_all[*]} (winston ${files_winston_all[*]}) entries/s"
echo "raw output: $OUT/"
