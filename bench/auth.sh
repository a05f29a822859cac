#!/usr/bin/env bash
# bench/auth.sh: the app users' routes under load. Release build; a throwaway PostgreSQL
# (migrated) and Redis under a temp dir; one pend-server with the http SMS provider pointed
# at bench/auth_load, which plays the provider and the app:
#
#   sign-ups:  --users users registered (code, EIP-4361 challenge signed by a fresh key)
#   sign-ins:  POST /api/v1/auth/login for each (code counted, compared in constant time and
#              consumed; last_login_at and login_count updated; a Redis session created),
#              from 16 keep-alive connections: sign-ins/s, p50, p99
#   GET /api/v1/me with one of those sessions (the session from Redis, the user from
#              PostgreSQL) beside GET /api/v1/health/live, same server, same run:
#              wrk -t2 -c200 -d15s --latency
#
# Every request goes through the whole middleware chain; the rate limiter runs with a rule
# no benchmark reaches; the access log and api_metrics are off (as in bench/cache.sh).
# Prints markdown tables and, from /metrics, the statements and their round trips to
# PostgreSQL. Raw output: build/bench-auth/. Environment: BENCH_DURATION (15),
# BENCH_USERS (2000), BENCH_CONNECTIONS (200, the wrk runs). The machine has 2 cores, which
# wrk (or auth_load), pend-server, Redis and PostgreSQL share.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${BENCH_DURATION:-15}
USERS=${BENCH_USERS:-2000}
CONNECTIONS=${BENCH_CONNECTIONS:-200}
OUT=build/bench-auth
command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
mkdir -p "$OUT"

bench_temp auth

pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port"
start_postgres "$TMP/pg" "$pg_port" "-c max_connections=100"
ensure_database "$pg_port" pend_bench
DB_URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"
redis_port=$(free_port)
log "starting Redis on 127.0.0.1:$redis_port"
start_redis "$TMP/redis" "$redis_port"
DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null

sms_port=$(free_port)
pend_port=$(free_port)
log "starting pend-server on 127.0.0.1:$pend_port (SMS provider: auth_load on $sms_port)"
env PEND_ENV=development PORT="$pend_port" PEND_SERVER_HOST=127.0.0.1 DATABASE_URL="$DB_URL" \
  REDIS_URL="redis://127.0.0.1:$redis_port/0" LOG_DIR="$TMP/logs" LOG_LEVEL=info \
  PEND_LOG_ACCESS_LOG=false PEND_METRICS_API_METRICS=false PEND_WORKERS= \
  PEND_DATABASE_MAINTAIN_PARTITIONS=false PEND_RATE_LIMIT_RULES="bench * ip 1000000000/1h low" \
  PEND_AUTH_SMS_PROVIDER=http PEND_AUTH_SMS_FROM=+15005550006 \
  PEND_AUTH_SMS_URL="http://AC0001:bench@127.0.0.1:$sms_port/2010-04-01/Accounts/AC0001/Messages.json" \
  PEND_AUTH_CODES_PER_IP_HOUR=100000 PEND_AUTH_SUSPICIOUS_PHONES_PER_IP_HOUR=100000 \
  ${BENCH_SERVER_ENV:-} setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$OUT/pend-server.log" &
pend_pid=$!
wait_for --pid "$pend_pid" "pend-server" 30 curl -sf "http://127.0.0.1:$pend_port/api/v1/health/ready" ||
  { tail -20 "$OUT/pend-server.log" >&2; die "pend-server did not start"; }

log "auth_load: $USERS users register, ask for a login code, sign in (16 connections)"
build/release/bench/auth_load --url "http://127.0.0.1:$pend_port" --sms-port "$sms_port" \
  --users "$USERS" --connections 16 --token-file "$TMP/token" | tee "$OUT/auth_load.txt" ||
  die "auth_load failed (see above)"
token=$(head -1 "$TMP/token")
[ -n "$token" ] || die "auth_load wrote no session token"
me_status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$pend_port/api/v1/me")
[ "$me_status" = 200 ] || die "GET /api/v1/me with the session answered $me_status"

# run_wrk NAME URL ARGS...: warm up, then wrk; prints the RESULT fields.
run_wrk() {
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$CONNECTIONS" -d2s "$@" "$url" >/dev/null 2>&1 || true
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/report.lua "$@" "$url" 2>&1) ||
    { printf '%s\n' "$out" >&2; die "wrk failed"; }
  printf '%s\n' "$out" >"$OUT/$name.txt"
  grep '^RESULT ' <<<"$out" | sed 's/^RESULT //'
}
log "wrk -t2 -c$CONNECTIONS -d${DURATION}s: GET /api/v1/health/live"
live=$(run_wrk live "http://127.0.0.1:$pend_port/api/v1/health/live")
log "wrk -t2 -c$CONNECTIONS -d${DURATION}s: GET /api/v1/me"
me=$(run_wrk me "http://127.0.0.1:$pend_port/api/v1/me" -H "Authorization: Bearer $token")
kill -0 "$pend_pid" 2>/dev/null || die "pend-server exited during the run"
curl -s "http://127.0.0.1:$pend_port/metrics" >"$OUT/metrics.txt"

field() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
phase() { grep "phase=$1 " "$OUT/auth_load.txt"; }
echo
echo "| auth_load (16 connections) | done | per second | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|"
for p in register otp login; do
  r=$(phase $p)
  printf '| %s | %s | %s | %s | %s | %s |\n' "$p" "$(field "$r" n)" "$(field "$r" rate)" \
    "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" "$(field "$r" errors)"
done
echo
echo "| wrk -t2 -c$CONNECTIONS | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
for name in live me; do
  r=${!name}
  label=$([ $name = live ] && echo "GET /api/v1/health/live" || echo "GET /api/v1/me")
  printf '| %s | %s | %s | %s | %s |\n' "$label" "$(field "$r" rps)" "$(field "$r" p50_ms)" \
    "$(field "$r" p99_ms)" "$(field "$r" errors)"
done
awk -v a="$(field "$me" rps)" -v b="$(field "$live" rps)" \
  'BEGIN { if (b > 0) printf "\nGET /api/v1/me: %.0f%% of health/live'"'"'s requests/s\n", 100 * a / b }'
grep -E '^pend_auth_(sign_ins|sign_ups|code_comparisons)_total' "$OUT/metrics.txt" || true
# Round trips to PostgreSQL for single statements: those that went alone plus the batches.
awk '/^pend_db_query_duration_seconds_count/ { n += $2 }
     /^pend_db_statements_coalesced_total/ { c += $2 }
     /^pend_db_coalesced_round_trips_total/ { b += $2 }
     END { if (n > 0) printf "statements %d, in batches %d, round trips %d (%.3f a statement)\n",
                             n, c, n - c + b, (n - c + b) / n }' "$OUT/metrics.txt"
echo "raw output and server log: $OUT/"
