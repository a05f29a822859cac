#!/usr/bin/env bash
# bench/cache.sh: a cached GET route through the full middleware chain, the Redis cache hit
# path, beside the same route with the cache off, in one run. Release build; a throwaway
# PostgreSQL (migrated) and Redis under a temp dir; one pend-server per configuration on
# the same machine, loaded in turn with
#
#   wrk -t2 -c100 -d15s --latency http://127.0.0.1:PORT/api/v1/config
#
# Configurations (every request goes through real IP, request id, trace context, security
# headers, CORS, authenticate, rate limit, body parser, authorize, response cache, metrics;
# the access log is off in all three so it does not dominate):
#   cache on:             GET /api/v1/config answered from Redis (HMGET per request), plus
#                         the rate limiter's EVALSHA per request
#   cache off:            the handler runs: one PostgreSQL query per request, plus the
#                         rate limiter's EVALSHA
#   cache on, no limiter: the hit path alone (one Redis round trip per request)
#
# Prints requests/s, p50, p99 and errors as a markdown table. Raw output: build/bench-cache/.
# Environment: BENCH_DURATION (15), BENCH_CONNECTIONS (100). The machine has 2 cores, which
# wrk, pend-server, Redis and PostgreSQL share.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-100}
OUT=build/bench-cache
command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
mkdir -p "$OUT"

bench_temp cache

pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port"
start_postgres "$TMP/pg" "$pg_port" "-c max_connections=100"
ensure_database "$pg_port" pend_bench
DB_URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"
redis_port=$(free_port)
log "starting Redis on 127.0.0.1:$redis_port"
start_redis "$TMP/redis" "$redis_port"
REDIS_URL_="redis://127.0.0.1:$redis_port/0"
DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null

# serve NAME ENV...: starts pend-server with the given extra environment; sets pend_port.
serve() {
  local name=$1; shift
  pend_port=$(free_port)
  env PEND_ENV=development PORT="$pend_port" PEND_SERVER_HOST=127.0.0.1 DATABASE_URL="$DB_URL" LOG_DIR="$TMP/logs" \
    REDIS_URL="$REDIS_URL_" PEND_LOG_ACCESS_LOG=false LOG_LEVEL=info \
    PEND_DATABASE_MAINTAIN_PARTITIONS=false PEND_WORKERS= PEND_METRICS_API_METRICS=false "$@" \
    setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$OUT/$name.log" &
  pend_pid=$!
  wait_for --pid "$pend_pid" "pend-server ($name)" 30 \
    curl -sf "http://127.0.0.1:$pend_port/api/v1/health/ready" ||
    { tail -20 "$OUT/$name.log" >&2; die "pend-server did not start"; }
}

# measure NAME: warm up, then wrk; prints the RESULT fields.
measure() {
  local name=$1 url="http://127.0.0.1:$pend_port/api/v1/config"
  curl -s -o /dev/null "$url"
  wrk -t2 -c"$CONNECTIONS" -d2s "$url" >/dev/null 2>&1 || true
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/report.lua "$url" 2>&1) ||
    { printf '%s\n' "$out" >&2; die "wrk failed"; }
  printf '%s\n' "$out" >"$OUT/$name.txt"
  curl -s -D "$OUT/$name.headers" -o /dev/null "$url"
  grep '^RESULT ' <<<"$out" | sed 's/^RESULT //'
}

# The rate limiter stays on with a rule no benchmark reaches: it is measured, not refusing.
LIMITS="bench * ip 1000000000/1h low"
results=()
for config in "cache on" "cache off" "cache on, no limiter"; do
  case $config in
    "cache on") extra=(PEND_CACHE_ENABLED=true PEND_RATE_LIMIT_RULES="$LIMITS") ;;
    "cache off") extra=(PEND_CACHE_ENABLED=false PEND_RATE_LIMIT_RULES="$LIMITS") ;;
    *) extra=(PEND_CACHE_ENABLED=true PEND_RATE_LIMIT_ENABLED=false) ;;
  esac
  name=${config//[ ,]/_}
  log "$config: wrk -t2 -c$CONNECTIONS -d${DURATION}s"
  serve "$name" "${extra[@]}"
  results+=("$(measure "$name")")
  kill -0 "$pend_pid" 2>/dev/null || die "pend-server exited during the run"
  curl -s "http://127.0.0.1:$pend_port/metrics" >"$OUT/$name.metrics"
  stop_pid "$pend_pid" 30
  pend_pid=""
done

field() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
echo
echo "| GET /api/v1/config | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
i=0
for config in "cache on" "cache off" "cache on, no limiter"; do
  r=${results[$i]}
  printf '| %s | %s | %s | %s | %s |\n' "$config" "$(field "$r" rps)" "$(field "$r" p50_ms)" \
    "$(field "$r" p99_ms)" "$(field "$r" errors)"
  i=$((i + 1))
done
echo
grep -h '^X-Cache' "$OUT/cache_on.headers" | sed 's/^/cache on, last response: /' || true
grep -h 'pend_cache_requests_total{route="/api/v1/config"' "$OUT/cache_on.metrics" || true
echo "raw wrk output, headers, metrics and server logs: $OUT/"
