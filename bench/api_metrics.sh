#!/usr/bin/env bash
# bench/api_metrics.sh: what recording an api_metrics row per request costs, in one run.
# pend-server (Release, 2 shards, access log off so the rows are all that is measured, rate
# limiter off, no workers) on GET /api/v1/health/live under wrk -t2 -c200 -d10s, api_metrics
# off then on, five rounds; then three rounds with metrics.api_metrics_sample_percent=10.
# PostgreSQL (a throwaway one, migrated, stock settings) stores the rows on the same two
# cores as wrk and the server, so two figures are printed per round:
#   - requests/s: the whole machine's cost, PostgreSQL's work for every row included;
#   - the server's own CPU per request (utime + stime of pend-server over the run): what
#     an instance pays when PostgreSQL runs elsewhere, as in production.
# Targets (issue 6): under 10% cost. Environment: BENCH_DURATION (10), BENCH_ROUNDS (5),
# BENCH_SAMPLED_ROUNDS (3). Raw output: build/bench-api-metrics/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-5}
SAMPLED_ROUNDS=${BENCH_SAMPLED_ROUNDS:-3}
OUT=build/bench-api-metrics
command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
mkdir -p "$OUT"
bench_temp api-metrics

pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port and Redis"
start_postgres "$TMP/pg" "$pg_port" "-c max_connections=100"
ensure_database "$pg_port" pend_bench
URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"
DATABASE_URL=$URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null
redis_port=$(free_port)
start_redis "$TMP/redis" "$redis_port"
PSQL=("$PG_BIN/psql" "$URL" -X -q -A -t)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run NAME API_METRICS SAMPLE_PERCENT: prints "rps server_us_per_request rows_stored"
run() {
  local port; port=$(free_port)
  PEND_ENV=development PORT=$port PEND_SERVER_HOST=127.0.0.1 DATABASE_URL="$URL" \
    REDIS_URL="redis://127.0.0.1:$redis_port/0" PEND_LOG_ACCESS_LOG=false LOG_LEVEL=info \
    LOG_DIR="$TMP/logs-$1" PEND_LOG_SINKS="console warn json" PEND_RATE_LIMIT_ENABLED=false \
    PEND_WORKERS= PEND_METRICS_API_METRICS="$2" PEND_METRICS_API_METRICS_SAMPLE_PERCENT="$3" \
    setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$OUT/$1.stderr" &
  pend_pid=$!
  wait_for --pid "$pend_pid" "pend-server" 30 curl -sf "http://127.0.0.1:$port/api/v1/health/live" ||
    die "pend-server did not start"
  local url="http://127.0.0.1:$port/api/v1/health/live"
  wrk -t2 -c200 -d2s "$url" >/dev/null 2>&1 || true
  local before after
  before=$(cpu_ticks "$pend_pid")
  wrk -t2 -c200 -d"${DURATION}s" --latency -s bench/wrk/report.lua "$url" >"$OUT/$1.txt" 2>&1
  after=$(cpu_ticks "$pend_pid")
  stop_pid "$pend_pid" 30  # the sink delivers what it holds before the process exits
  pend_pid=""
  rm -rf "$TMP/logs-$1"
  local rps requests
  rps=$(sed -n 's/^RESULT .*rps=\([0-9.]*\).*/\1/p' "$OUT/$1.txt")
  requests=$(sed -n 's/^RESULT .*requests=\([0-9]*\).*/\1/p' "$OUT/$1.txt")
  local stored; stored=$("${PSQL[@]}" -c "SELECT count(*) FROM api_metrics")
  "${PSQL[@]}" -c "TRUNCATE api_metrics"
  awk -v r="$rps" -v n="$requests" -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" \
    -v s="$stored" 'BEGIN { printf "%.0f %.2f %d\n", r, 1e6 * t / hz / n, s }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# rounds LABEL COUNT PERCENT: off/on pairs; prints a table row per round and the medians.
rounds() {
  local label=$1 count=$2 percent=$3 costs=() cpu_costs=() i
  echo "| $label round | off req/s | on req/s | cost | off µs/req | on µs/req | server cost | rows |"
  echo "|---|---|---|---|---|---|---|---|"
  for i in $(seq "$count"); do
    read -r off_rps off_us _ < <(run "off-$label-$i" false 100)
    read -r on_rps on_us on_rows < <(run "on-$label-$i" true "$percent")
    local cost cpu_cost
    cost=$(awk -v a="$off_rps" -v b="$on_rps" 'BEGIN { printf "%.1f", 100 * (a - b) / a }')
    cpu_cost=$(awk -v a="$off_us" -v b="$on_us" 'BEGIN { printf "%.1f", 100 * (b - a) / a }')
    costs+=("$cost")
    cpu_costs+=("$cpu_cost")
    echo "| $i | $off_rps | $on_rps | $cost% | $off_us | $on_us | $cpu_cost% | $on_rows |"
  done
  echo "medians: requests/s cost $(median "${costs[@]}")%, server CPU per request $(median "${cpu_costs[@]}")%"
  echo
}

log "api_metrics on every request: $ROUNDS rounds of wrk -t2 -c200 -d${DURATION}s, off then on"
every=$(rounds every "$ROUNDS" 100)
log "api_metrics on 10% of requests: $SAMPLED_ROUNDS rounds"
sampled=$(rounds sampled "$SAMPLED_ROUNDS" 10)
echo
echo "$every"
echo "$sampled"
echo "raw output: $OUT/"
