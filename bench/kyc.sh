#!/usr/bin/env bash
# bench/kyc.sh: KYC uploads under load, in one run. Release build; a throwaway PostgreSQL
# (migrated) and Redis under a temp dir; UPLOAD_DIR on the same disk as the reference.
#
#   BENCH_CLIENTS (50) users sign in the real way (auth_load: phone, SMS code, session), each
#   starts a tier-2 submission, then all upload a BENCH_MIB (10) MiB PDF at once (curl -T,
#   streamed PUT /api/v1/kyc/submissions/{id}/documents/identity_document). Measured: the
#   wall time of the whole batch (MiB/s), pend-server's resident memory (VmRSS) sampled every
#   20 ms during it against its value just before, and the reference: the same number of
#   `openssl enc -chacha20` processes writing the same bytes to the same disk at once, with a
#   sync after (pend-server fsyncs each document before it answers).
#
# Prints a markdown table. Raw output: build/bench-kyc/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

CLIENTS=${BENCH_CLIENTS:-50}
MIB=${BENCH_MIB:-10}
OUT=build/bench-kyc
command -v curl >/dev/null || die "curl is missing (scripts/install-deps)"
command -v openssl >/dev/null || die "openssl is missing"

log "building build/release"
configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
  -DPEND_BUILD_BENCH=ON >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT"
bench_temp kyc

pg_port=$(free_port)
log "starting PostgreSQL on 127.0.0.1:$pg_port and Redis"
start_postgres "$TMP/pg" "$pg_port"
ensure_database "$pg_port" pend_bench
DB_URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"
redis_port=$(free_port)
start_redis "$TMP/redis" "$redis_port"
DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null

sms_port=$(free_port)
pend_port=$(free_port)
mkdir -p "$TMP/uploads" "$TMP/reference"
log "starting pend-server on 127.0.0.1:$pend_port"
env PEND_ENV=development PORT="$pend_port" PEND_SERVER_HOST=127.0.0.1 DATABASE_URL="$DB_URL" \
  REDIS_URL="redis://127.0.0.1:$redis_port/0" LOG_DIR="$TMP/logs" LOG_LEVEL=info \
  UPLOAD_DIR="$TMP/uploads" PEND_LOG_ACCESS_LOG=false PEND_METRICS_API_METRICS=false \
  PEND_WORKERS= PEND_DATABASE_MAINTAIN_PARTITIONS=false \
  PEND_RATE_LIMIT_RULES="bench * ip 1000000000/1h low" \
  PEND_AUTH_SMS_PROVIDER=http PEND_AUTH_SMS_FROM=+15005550006 \
  PEND_AUTH_SMS_URL="http://AC0001:bench@127.0.0.1:$sms_port/2010-04-01/Accounts/AC0001/Messages.json" \
  PEND_AUTH_CODES_PER_IP_HOUR=100000 PEND_AUTH_SUSPICIOUS_PHONES_PER_IP_HOUR=100000 \
  ${BENCH_SERVER_ENV:-} setsid build/release/pend-server serve --no-dotenv </dev/null 2>"$OUT/pend-server.log" &
pend_pid=$!
wait_for --pid "$pend_pid" "pend-server" 30 curl -sf "http://127.0.0.1:$pend_port/api/v1/health/ready" ||
  { tail -20 "$OUT/pend-server.log" >&2; die "pend-server did not start"; }

log "auth_load: $CLIENTS users sign in"
build/release/bench/auth_load --url "http://127.0.0.1:$pend_port" --sms-port "$sms_port" \
  --users "$CLIENTS" --connections 8 --token-file "$TMP/tokens" >"$OUT/auth_load.txt" ||
  die "auth_load failed ($OUT/auth_load.txt)"
mapfile -t tokens <"$TMP/tokens"
((${#tokens[@]} == CLIENTS)) || die "auth_load gave ${#tokens[@]} sessions, not $CLIENTS"
drafts=()
for token in "${tokens[@]}"; do
  id=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"target_tier":2}' "http://127.0.0.1:$pend_port/api/v1/kyc/submissions" |
    sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p' | head -1)
  [ -n "$id" ] || die "could not start a submission"
  drafts+=("$id")
done

# A PDF of MIB MiB less 4 KiB: a header, one stream of random bytes, a trailer.
doc="$TMP/document.pdf"
payload=$((MIB * 1024 * 1024 - 4096))
{
  printf '%%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n'
  printf '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  printf '3 0 obj\n<< /Length %d >>\nstream\n' "$payload"
  head -c "$payload" /dev/urandom
  printf '\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 4 >>\n%%%%EOF\n'
} >"$doc"
size=$(stat -c %s "$doc")
total_mib=$(awk -v n="$CLIENTS" -v s="$size" 'BEGIN { printf "%.1f", n * s / 1048576 }')

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
rss_before=$(rss "$pend_pid")
( peak=0; while kill -0 "$pend_pid" 2>/dev/null && [ ! -f "$TMP/done" ]; do
    now=$(rss "$pend_pid"); ((now > peak)) && peak=$now; echo "$peak" >"$TMP/peak"; sleep 0.02
  done ) &
sampler=$!

log "$CLIENTS uploads of $size bytes at once"
start=$(date +%s.%N)
pids=()
for i in "${!tokens[@]}"; do
  curl -s -o "$OUT/upload-$i.json" -w '%{http_code}\n' -T "$doc" \
    -H "Authorization: Bearer ${tokens[$i]}" -H 'Content-Type: application/pdf' \
    "http://127.0.0.1:$pend_port/api/v1/kyc/submissions/${drafts[$i]}/documents/identity_document" \
    >"$OUT/status-$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
end=$(date +%s.%N)
touch "$TMP/done"; wait "$sampler" || true
rss_peak=$(cat "$TMP/peak")
ok=$(cat "$OUT"/status-* | grep -c '^201$' || true)
((ok == CLIENTS)) || { cat "$OUT"/upload-0.json >&2; die "$ok of $CLIENTS uploads answered 201"; }
stored=$(find "$TMP/uploads/documents" -name '*.pdoc' | wc -l)

log "reference: $CLIENTS openssl enc -chacha20 at once, then sync"
key=$(openssl rand -hex 32); iv=$(openssl rand -hex 16)
ref_start=$(date +%s.%N)
pids=()
for i in $(seq 1 "$CLIENTS"); do
  openssl enc -chacha20 -K "$key" -iv "$iv" -in "$doc" -out "$TMP/reference/$i.enc" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
sync
ref_end=$(date +%s.%N)

stop_pid "$pend_pid"
awk -v n="$CLIENTS" -v s="$size" -v t0="$start" -v t1="$end" -v r0="$ref_start" -v r1="$ref_end" \
  -v before="$rss_before" -v peak="$rss_peak" -v stored="$stored" 'BEGIN {
  mib = n * s / 1048576; up = mib / (t1 - t0); ref = mib / (r1 - r0)
  printf "| what | MiB/s | seconds |\n|---|---:|---:|\n"
  printf "| pend-server: %d streamed uploads at once (%d stored) | %.1f | %.2f |\n", n, stored, up, t1 - t0
  printf "| openssl enc -chacha20: %d at once, then sync | %.1f | %.2f |\n", n, ref, r1 - r0
  printf "\nuploads / reference: %.2f\n", up / ref
  printf "pend-server VmRSS: %.1f MiB before, %.1f MiB peak during the uploads: +%.1f MiB\n",
    before / 1024, peak / 1024, (peak - before) / 1024 }' | tee "$OUT/result.md"
