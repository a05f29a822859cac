#!/usr/bin/env bash
# bench/admin.sh: the admin console's costs, in one run. Release build; a throwaway
# PostgreSQL (migrated, stock settings) and Redis under a temp dir.
#
#   audit appends: pgbench, BENCH_CLIENTS ("1 8") concurrent admins for BENCH_DURATION s, each
#     transaction one INSERT into admin_audit_logs (the chain trigger: the head row locked,
#     SHA-256 over the canonical row) beside the same INSERT into a copy of the table without
#     the trigger (the reference): appends/s, p50 and p99 from pgbench's per-transaction log.
#   searches: BENCH_USERS (100,000) users and BENCH_LOGS (1,000,000) server_logs rows over
#     30 days are generated in SQL; a superadmin signs in the real way (password, then a TOTP
#     code from oathtool); wrk -t2 -cBENCH_CONNECTIONS (16) -dBENCH_DURATION --latency
#     against GET /api/v1/admin/me (the reference: the same session check, no search), the
#     user search by status and tier, the user lookup by phone (hashed for the lookup), a
#     one-day server-logs query (level=error) and a one-day unfiltered first page.
#
# Prints markdown tables. Raw output: build/bench-admin/. The machine's 2 cores are shared by
# wrk (or pgbench), pend-server, Redis and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${BENCH_DURATION:-10}
CLIENTS=${BENCH_CLIENTS:-1 8}
USERS=${BENCH_USERS:-100000}
LOGS=${BENCH_LOGS:-1000000}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
OUT=build/bench-admin
command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"
command -v oathtool >/dev/null || die "oathtool is missing (scripts/install-deps)"
PGBENCH=$PG_BIN/pgbench

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT"
bench_temp admin

pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port and Redis"
start_postgres "$TMP/pg" "$pg_port" "-c max_connections=100"
ensure_database "$pg_port" pend_bench
DB_URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"
redis_port=$(free_port)
start_redis "$TMP/redis" "$redis_port"
export ADMIN_EMAIL=bench@example.com ADMIN_PASSWORD=bench-password-not-secret
DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null
DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server seed --no-dotenv >/dev/null
PSQL=("$PG_BIN/psql" "$DB_URL" -X -q -A -t -v ON_ERROR_STOP=1)

# ---- audit appends ----------------------------------------------------------------------
"${PSQL[@]}" -c "CREATE SEQUENCE audit_reference_seq" \
  -c "CREATE TABLE audit_reference (LIKE admin_audit_logs INCLUDING DEFAULTS)" \
  -c "ALTER TABLE audit_reference ALTER COLUMN seq SET DEFAULT nextval('audit_reference_seq'), \
      ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN row_hash DROP NOT NULL"
admin_id=$("${PSQL[@]}" -c "SELECT id FROM admin_users LIMIT 1")
for table in admin_audit_logs audit_reference; do
  cat >"$TMP/$table.sql" <<SQL
INSERT INTO $table (admin_id, action, resource_type, resource_id, old_values, new_values,
  ip_address, user_agent, session_id, justification)
VALUES ('$admin_id', 'user.suspend', 'user', gen_random_uuid()::text, '{"status":"active"}',
  '{"status":"suspended"}', '198.51.100.4', 'panel/1', 'bench-session', 'bench');
SQL
done

# appends TABLE CLIENTS: prints "tps p50_ms p99_ms"
appends() {
  local dir="$TMP/pgbench-$1-$2"
  mkdir -p "$dir" && chmod 777 "$dir"
  local report="$TMP/pgbench-$1-$2.txt"
  (cd "$dir" && "$PGBENCH" -n -c "$2" -j "$(( $2 < 2 ? 1 : 2 ))" -T "$DURATION" -f "$TMP/$1.sql" \
    -l --log-prefix=tx "$DB_URL" >"$report" 2>&1) || { cat "$report" >&2; die "pgbench failed"; }
  cp "$report" "$OUT/"
  local tps; tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$report" | head -1)
  # Per-transaction log: client tx_no latency_us script_no epoch epoch_us
  cat "$dir"/tx.* | awk '{ print $3 }' | sort -n |
    awk -v tps="$tps" '{ v[NR] = $1 } END {
      printf "%.0f %.3f %.3f\n", tps, v[int(NR * 0.5)] / 1000, v[int(NR * 0.99)] / 1000 }'
}
audit_rows=()
for clients in $CLIENTS; do
  log "pgbench: $clients client(s) append audit rows for ${DURATION}s (chained, then the reference)"
  read -r tps p50 p99 < <(appends admin_audit_logs "$clients")
  audit_rows+=("| $clients | admin_audit_logs (chained) | $tps | $p50 | $p99 |")
  read -r tps p50 p99 < <(appends audit_reference "$clients")
  audit_rows+=("| $clients | reference table, no trigger | $tps | $p50 | $p99 |")
done
verify=$(DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server audit verify \
  --no-dotenv 2>&1 | tail -1)

# ---- data for the searches ---------------------------------------------------------------
log "generating $USERS users and $LOGS server_logs rows over 30 days"
day0=$(date -u -d '-30 days' +%Y-%m-%dT00:00:00Z)
"${PSQL[@]}" <<SQL
SELECT pend_ensure_monthly_partitions('server_logs', 3);
INSERT INTO users (phone_hash, blockchain_address, tier, status, created_at)
SELECT encode(sha256(('phone-' || i)::bytea), 'hex'),
       '0x' || substr(encode(sha256(('address-' || i)::bytea), 'hex'), 1, 40),
       i % 6, (ARRAY['active', 'active', 'active', 'suspended', 'closed'])[1 + i % 5],
       timestamptz '$day0' + (i * interval '30 days') / $USERS
FROM generate_series(1, $USERS) AS i;
INSERT INTO server_logs (timestamp, level, category, event_type, request_id, endpoint, method,
                         status_code, response_time_ms, ip_address)
SELECT timestamptz '$day0' + (i * interval '30 days') / $LOGS,
       (ARRAY['info', 'info', 'info', 'info', 'warn', 'debug', 'info', 'info', 'info', 'error'])
         [1 + i % 10],
       (ARRAY['API', 'AUTH', 'DATABASE', 'SECURITY', 'BUSINESS'])[1 + i % 5],
       'REQUEST', md5(i::text)::uuid::text, '/api/v1/me', 'GET', 200, i % 50, '198.51.100.4'
FROM generate_series(1, $LOGS) AS i;
ANALYZE users;
ANALYZE server_logs;
SQL

pend_port=$(free_port)
log "starting pend-server on 127.0.0.1:$pend_port"
env PEND_ENV=development PORT="$pend_port" PEND_SERVER_HOST=127.0.0.1 DATABASE_URL="$DB_URL" \
  REDIS_URL="redis://127.0.0.1:$redis_port/0" LOG_DIR="$TMP/logs" LOG_LEVEL=info \
  PEND_LOG_ACCESS_LOG=false PEND_METRICS_API_METRICS=false PEND_WORKERS= \
  PEND_DATABASE_MAINTAIN_PARTITIONS=false PEND_RATE_LIMIT_ENABLED=false \
  setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$OUT/pend-server.log" &
pend_pid=$!
wait_for --pid "$pend_pid" "pend-server" 30 curl -sf "http://127.0.0.1:$pend_port/api/v1/health/ready" ||
  { tail -20 "$OUT/pend-server.log" >&2; die "pend-server did not start"; }

base="http://127.0.0.1:$pend_port"
login=$(curl -sf -H 'Content-Type: application/json' "$base/api/v1/admin/auth/login" \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}") || die "admin login failed"
secret=$(jq -r .enrolment.secret <<<"$login")
signed_in=$(curl -sf -H 'Content-Type: application/json' "$base/api/v1/admin/auth/totp" \
  -d "{\"mfa_token\":\"$(jq -r .mfa_token <<<"$login")\",\"code\":\"$(oathtool --totp -b "$secret")\"}") ||
  die "the TOTP step failed"
token=$(jq -r .token <<<"$signed_in")
# A phone of the generated users cannot be typed (their hashes are of other text): one real
# user for the lookup.
pepper=$(sed -n 's/^phone_pepper = "\(.*\)"$/\1/p' config/development.toml)
phone_hash=$(printf '%s' '+447400123456' | openssl dgst -sha256 -hmac "$pepper" |
  awk '{ print $NF }')
"${PSQL[@]}" -c "UPDATE users SET phone_hash = '$phone_hash' WHERE id = (SELECT id FROM users \
  ORDER BY created_at LIMIT 1)"

day=$(date -u -d '-10 days' +%Y-%m-%dT00:00:00Z)
next=$(date -u -d '-9 days' +%Y-%m-%dT00:00:00Z)
declare -A targets=(
  [me]="/api/v1/admin/me"
  [users]="/api/v1/admin/users?status=active&tier=2"
  [phone]="/api/v1/admin/users?phone=%2B447400123456"
  [logs_error]="/api/v1/admin/logs?from=$day&to=$next&level=error"
  [logs_day]="/api/v1/admin/logs?from=$day&to=$next"
)
for name in "${!targets[@]}"; do
  status=$(curl -s -o "$OUT/$name.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "$base${targets[$name]}")
  [ "$status" = 200 ] || { cat "$OUT/$name.json" >&2; die "$name answered $status"; }
done

run_wrk() {
  local url=$1 out
  wrk -t2 -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null 2>&1 || true
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/report.lua \
    -H "Authorization: Bearer $token" "$url" 2>&1) || { printf '%s\n' "$out" >&2; die "wrk failed"; }
  grep '^RESULT ' <<<"$out" | sed 's/^RESULT //'
}
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }

echo
echo "| admins at once | audit append into | appends/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|"
printf '%s\n' "${audit_rows[@]}"
echo
echo "audit verify afterwards: $verify"
echo
echo "| wrk -t2 -c$CONNECTIONS -d${DURATION}s | requests/s | p50 ms | p99 ms | errors | rows/page |"
echo "|---|---|---|---|---|---|"
for name in me users phone logs_error logs_day; do
  log "wrk: $name"
  r=$(run_wrk "$base${targets[$name]}")
  echo "$r" >"$OUT/$name.result"
  rows=$(jq -r '(.items // []) | length' "$OUT/$name.json" 2>/dev/null || echo -)
  printf '| GET %s | %s | %s | %s | %s | %s |\n' "${targets[$name]}" "$(field "$r" rps)" \
    "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" "$(field "$r" errors)" "$rows"
done
