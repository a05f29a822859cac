#!/usr/bin/env bash
# bench/http.sh: wrk against GET /api/v1/health/live on pend-server (Release build, full
# middleware chain, access log on: each entry to stderr, redirected to a file, and to the
# plan's rotating files server-%DATE% and server-performance-%DATE% under a temp LOG_DIR)
# and, in the same run, against
# nginx-light returning a fixed 200 JSON (bench/nginx/nginx.conf.in), the ceiling. Loads:
#
#   flat out:   wrk -t2 -c200 -d15s --latency
#   many idle:  wrk -t2 -c19000 -d30s --timeout 5s --latency, each connection waiting 1 s
#               between requests (bench/wrk/delay_report.lua)
#
# Prints requests/s, p50, p99 and errors (socket connect/read/write/timeout + non-2xx/3xx)
# as a markdown table, pend-server's share of nginx's requests/s, and pend-server's resident
# memory idle after start and after the load. Raw wrk output: build/bench-http/.
#
#   bench/http.sh                  build build/release, start both servers, compare
#   bench/http.sh --url URL        only measure an already running instance at URL
#
# Environment: BENCH_DURATION (seconds of the flat-out run, 15), BENCH_MANY_DURATION
# (seconds of the many-connection run, 2 x BENCH_DURATION), BENCH_CONNECTIONS (19000),
# BENCH_OUT (build/bench-http), BENCH_ACCESS_LOG (true: the access log writes one line per
# request to a file; false measures the middleware chain and metrics without it). The
# machine has 2 cores which wrk and the server share.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit "${1:-0}"; }

url_only=""
while (($#)); do
  case $1 in
    --url) url_only=${2:?--url needs a URL}; shift 2 ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done

DURATION=${BENCH_DURATION:-15}
MANY_DURATION=${BENCH_MANY_DURATION:-$((DURATION * 2))}
MANY=${BENCH_CONNECTIONS:-19000}
OUT=${BENCH_OUT:-build/bench-http}
ACCESS_LOG=${BENCH_ACCESS_LOG:-true}
[[ "$ACCESS_LOG" == true || "$ACCESS_LOG" == false ]] || die "BENCH_ACCESS_LOG must be true or false"

command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"
[ -n "$url_only" ] || command -v nginx >/dev/null || die "nginx is missing (scripts/install-deps)"

raise_open_files "$MANY"

mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/pend-bench.XXXXXX)
pend_pid="" nginx_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$pend_pid" 30
  stop_pid "$nginx_pid" 10
  [ ! -f "$TMP/pend.log" ] || cp "$TMP/pend.log" "$OUT/pend-server.log"
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

flat_out() { run_wrk "$1" "$2" -t2 -c200 -d"${DURATION}s" -s bench/wrk/report.lua; }
many_idle() {
  run_wrk "$1" "$2" -t2 -c"$MANY" -d"${MANY_DURATION}s" --timeout 5s -s bench/wrk/delay_report.lua
}

header() { echo "| run | requests/s | p50 ms | p99 ms | errors |"; echo "|---|---|---|---|---|"; }
row() { # row LABEL RESULT
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" \
    "$(field "$2" p99_ms)" "$(field "$2" errors)"
}
rss_mib() { awk -v k="${2:-VmRSS}:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

if [ -n "$url_only" ]; then
  log "flat out against $url_only: 2 threads, 200 connections, ${DURATION}s"
  flat=$(flat_out target "$url_only")
  log "$MANY connections at 1 request/s each against $url_only, ${MANY_DURATION}s"
  many=$(many_idle target_many "$url_only")
  echo
  header
  row "$url_only, 200 connections" "$flat"
  row "$url_only, $MANY connections at 1 req/s" "$many"
  exit 0
fi

log "building build/release (Release)"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON

# pend-server as in development, but: loopback only, info level, access log on (one JSON
# line per request, to a file), room for the 19,000 connections, no database maintenance.
pend_port=$(free_port)
log "starting pend-server on 127.0.0.1:$pend_port"
PEND_ENV=development PORT=$pend_port PEND_SERVER_HOST=127.0.0.1 PEND_LOG_ACCESS_LOG=$ACCESS_LOG LOG_DIR="$TMP/logs" \
  LOG_LEVEL=info PEND_SERVER_MAX_CONNECTIONS=30000 PEND_SERVER_MAX_CONNECTIONS_PER_IP=30000 \
  PEND_DATABASE_MAINTAIN_PARTITIONS=false \
  PEND_WORKERS= PEND_METRICS_API_METRICS=false \
  setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$TMP/pend.log" &
pend_pid=$!
if ! wait_for --pid "$pend_pid" "pend-server" 30 curl -sf "http://127.0.0.1:$pend_port/api/v1/health/live"; then
  tail -20 "$TMP/pend.log" >&2
  die "pend-server did not start"
fi
sleep 2
idle_rss=$(rss_mib "$pend_pid")

nginx_port=$(free_port)
log "starting nginx on 127.0.0.1:$nginx_port"
mkdir -p "$TMP/nginx/tmp"
sed -e "s/@PORT@/$nginx_port/" -e "s/@NOFILE@/$NOFILE/" bench/nginx/nginx.conf.in >"$TMP/nginx/nginx.conf"
setsid nginx -p "$TMP/nginx/" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" </dev/null &
nginx_pid=$!
if ! wait_for --pid "$nginx_pid" "nginx" 30 curl -sf "http://127.0.0.1:$nginx_port/"; then
  cat "$TMP/nginx/error.log" >&2 || true
  die "nginx did not start"
fi

pend_url="http://127.0.0.1:$pend_port/api/v1/health/live"
nginx_url="http://127.0.0.1:$nginx_port/"
log "flat out: 2 threads, 200 connections, ${DURATION}s per server"
nginx_flat=$(flat_out nginx "$nginx_url")
pend_flat=$(flat_out pend "$pend_url")
log "$MANY connections at 1 request/s each, ${MANY_DURATION}s per server"
nginx_many=$(many_idle nginx_many "$nginx_url")
pend_many=$(many_idle pend_many "$pend_url")
peak_rss=$(rss_mib "$pend_pid" VmHWM)
sleep 2
after_rss=$(rss_mib "$pend_pid")
kill -0 "$pend_pid" 2>/dev/null || die "pend-server exited during the run (see $OUT/pend-server.log)"
access_lines=$(grep -c '"event_type":"HTTP_REQUEST"' "$TMP/pend.log" || true)

echo
header
row "nginx, 200 connections" "$nginx_flat"
row "pend-server, 200 connections" "$pend_flat"
row "nginx, $MANY connections at 1 req/s" "$nginx_many"
row "pend-server, $MANY connections at 1 req/s" "$pend_many"
echo
awk -v p="$(field "$pend_flat" rps)" -v n="$(field "$nginx_flat" rps)" 'BEGIN {
  if (n > 0) printf "pend-server / nginx requests/s, 200 connections: %.0f%% (target >= 70%%)\n", 100 * p / n }'
awk -v p="$(field "$pend_many" rps)" -v n="$(field "$nginx_many" rps)" 'BEGIN {
  if (n > 0) printf "pend-server / nginx requests/s, many connections: %.0f%%\n", 100 * p / n }'
echo "pend-server $MANY-connection p99: $(field "$pend_many" p99_ms) ms (target < 100), errors: $(field "$pend_many" errors) (target 0)"
echo "pend-server resident memory: ${idle_rss} MiB idle after start (target < 50), ${peak_rss} MiB peak, ${after_rss} MiB after the runs"
echo "pend-server access log entries written during the run: $access_lines"
echo "raw wrk output and the server log: $OUT/"
