#!/usr/bin/env bash
# bench/http.sh: wrk against GET /api/v1/health/live on pend-server (full middleware chain,
# access log on, written to a file) and, in the same run, on nginx returning a fixed 200 JSON
# (the ceiling). Two loads: 2 threads x 200 connections flat out, and 19,000 connections
# that each wait 1 s between requests. Prints a markdown table for docs/benchmarks.md.
#
#   bench/http.sh                 # build build/release, start both servers, compare
#   bench/http.sh --url URL       # only measure an already running instance at URL
#   BENCH_DURATION=30 bench/http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

DURATION=${BENCH_DURATION:-15}
MANY=${BENCH_CONNECTIONS:-19000}
url_only=""
if [ "${1:-}" = "--url" ]; then url_only=${2:?--url needs a URL}; fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((MANY + 500)) ] || die "need $((MANY + 500)) open files, have $(ulimit -n)"
command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"

TMP=$(mktemp -d /tmp/pend-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# run_wrk NAME URL ARGS...: prints "NAME rps p50 p99 errors"
run_wrk() {
  local name=$1 url=$2; shift 2
  local out; out=$(wrk "$@" --latency "$url" 2>&1) || { echo "$out" >&2; die "wrk failed"; }
  echo "$out" > "$TMP/$name.wrk"
  local line; line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; die "no RESULT line"; }
  echo "$name $line"
}

flat_out() { run_wrk "$1" "$2" -t2 -c200 -d"${DURATION}s" -s bench/wrk/report.lua; }
many_idle() {
  run_wrk "$1" "$2" -t2 -c"$MANY" -d"$((DURATION * 2))s" --timeout 5s -s bench/wrk/delay_report.lua
}

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

if [ -n "$url_only" ]; then
  flat_out target "$url_only"
  many_idle target_many "$url_only"
  exit 0
fi

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null

pend_port=$(free_port)
PEND_ENV=development PORT=$pend_port PEND_SERVER_HOST=127.0.0.1 PEND_LOG_ACCESS_LOG=true \
  LOG_LEVEL=info PEND_SERVER_MAX_CONNECTIONS=30000 PEND_DATABASE_MAINTAIN_PARTITIONS=false \
  build/release/pend-server serve --no-dotenv 2>"$TMP/pend.log" &
pend_pid=$!; pids+=("$pend_pid")
wait_for "pend-server" 30 curl -sf "http://127.0.0.1:$pend_port/api/v1/health/live"
sleep 1
idle_rss=$(rss_mib "$pend_pid")

nginx_port=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<NGINX
worker_processes auto;
worker_rlimit_nofile 40000;
daemon off;
error_log $TMP/nginx/error.log warn;
pid $TMP/nginx/nginx.pid;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
NGINX
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
pids+=("$!")
wait_for "nginx" 30 curl -sf "http://127.0.0.1:$nginx_port/"

log "flat out: 2 threads, 200 connections, ${DURATION}s each"
nginx_flat=$(flat_out nginx "http://127.0.0.1:$nginx_port/")
pend_flat=$(flat_out pend "http://127.0.0.1:$pend_port/api/v1/health/live")
log "$MANY connections, 1 request per second each, $((DURATION * 2))s each"
nginx_many=$(many_idle nginx_many "http://127.0.0.1:$nginx_port/")
pend_many=$(many_idle pend_many "http://127.0.0.1:$pend_port/api/v1/health/live")
loaded_rss=$(rss_mib "$pend_pid")
log_lines=$(wc -l <"$TMP/pend.log")

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" \
  "$(field "$2" p99_ms)" "$(field "$2" errors)"; }

echo
echo "| run | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
row "nginx, 200 connections" "$nginx_flat"
row "pend-server, 200 connections" "$pend_flat"
row "nginx, $MANY connections at 1 req/s" "$nginx_many"
row "pend-server, $MANY connections at 1 req/s" "$pend_many"
echo
awk -v p="$(field "$pend_flat" rps)" -v n="$(field "$nginx_flat" rps)" \
  'BEGIN { printf "pend-server / nginx requests/s (200 connections): %.0f%%\n", 100 * p / n }'
echo "pend-server resident memory: ${idle_rss} MiB idle after start, ${loaded_rss} MiB after the runs"
echo "access log lines written during the run: $log_lines"
