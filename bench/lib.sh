# shellcheck shell=bash
# What the benchmark scripts share: a temp dir of their own, and stopping (by pid) what they
# started there, pend-server, Redis and PostgreSQL, however the script ends. Source it from
# the repository root; it sources scripts/lib/services.sh.
#
#   source bench/lib.sh
#   bench_temp logging                       # TMP=/tmp/pend-bench-logging.XXXXXX
#   start_postgres "$TMP/pg" "$port"; ...    # stopped on exit, as is "$pend_pid"

source scripts/lib/services.sh

pend_pid=""

bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$pend_pid" 30
  if [ -f "$TMP/redis/redis.pid" ]; then stop_redis "$TMP/redis" || true; fi
  stop_postgres "$TMP/pg" || true
  rm -rf "$TMP"
  exit "$status"
}

# bench_temp NAME: TMP (readable by the postgres user), and the exit traps.
bench_temp() {
  TMP=$(mktemp -d "/tmp/pend-bench-$1.XXXXXX")
  chmod 755 "$TMP"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
