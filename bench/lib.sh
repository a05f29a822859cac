# shellcheck shell=bash
# What the benchmark scripts share: a temp dir of their own, and stopping (by pid) what they
# started there, pend-server, Redis and PostgreSQL, however the script ends. Source it from
# the repository root; it sources scripts/lib/services.sh.
#
#   source bench/lib.sh
#   bench_temp logging                       # TMP=/tmp/pend-bench-logging.XXXXXX
#   start_postgres "$TMP/pg" "$port"; ...    # stopped on exit, as is "$pend_pid"
#   result=$(run_wrk NAME URL -t2 -c200 -d15s -s bench/wrk/report.lua)   # into $OUT/NAME.txt
#   field "$result" rps

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

# run_wrk NAME URL WRK_ARGS...: prints "rps=... p50_ms=... p99_ms=... errors=... requests=..."
# from the RESULT line bench/wrk/report.lua adds; the full output goes to $OUT/NAME.txt.
run_wrk() {
  local name=$1 url=$2
  shift 2
  local out
  if ! out=$(wrk "$@" --latency "$url" 2>&1); then
    printf '%s\n' "$out" >&2
    die "wrk failed against $url"
  fi
  printf '%s\n' "$out" >"$OUT/$name.txt"
  grep '^RESULT ' <<<"$out" | sed 's/^RESULT //' || {
    printf '%s\n' "$out" >&2
    die "wrk printed no RESULT line"
  }
}
# drained BASE: waits (60 s at most) until the server at BASE holds no more than a few open
# client connections, so that a many-connection run does not start while the server is
# still closing the previous run's (the machine's 20,000 open files would refuse the rest).
drained() {
  open_connections() {
    local n
    n=$(curl -sf "$1/metrics" | sed -n 's/^http_server_open_connections \([0-9]*\).*/\1/p')
    [ -n "$n" ] && [ "$n" -le 10 ]
  }
  wait_for "$1: previous connections closed" 60 open_connections "$1"
}
field() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }

# raise_open_files N: the soft limit of open files raised to the hard one, which must hold N
# connections (one file each in wrk and in the server) and some to spare.
raise_open_files() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  NOFILE=$(ulimit -n)
  [ "$NOFILE" = unlimited ] && NOFILE=1048576
  ((NOFILE >= $1 + 200)) || die "need $(($1 + 200)) open files for $1 connections, the hard limit is $NOFILE"
  # Outgoing connections from 127.0.0.1 to one port: each needs its own ephemeral port.
  local low high
  read -r low high </proc/sys/net/ipv4/ip_local_port_range
  ((high - low + 1 >= $1 + 1000)) || warn "ephemeral ports $low-$high hold fewer than $1 + 1000 connections"
}

# chain_state BLOCKS TXS: the path of an anvil state file of BLOCKS blocks of TXS ERC-20
# transfers each (bench/chain_load generate, release build), made once under build/bench-chain
# and kept for the next run of any chain benchmark. Needs $TMP.
chain_state() {
  local state="build/bench-chain/state-$1x$2.json" port
  if [ ! -f "$state" ]; then
    mkdir -p build/bench-chain
    port=$(free_port)
    log "generating $1 blocks of $2 transfers on anvil :$port (once; kept in $state)"
    start_anvil "$TMP/anvil-generate" "$port" --timestamp 1700000000 --dump-state "$state.tmp" >&2
    build/release/bench/chain_load generate --rpc "http://127.0.0.1:$port" --blocks "$1" \
      --txs "$2" 2>build/bench-chain/generate.txt || die "generate failed (build/bench-chain/generate.txt)"
    stop_anvil "$TMP/anvil-generate" >&2  # writes the state file
    mv "$state.tmp" "$state"
  fi
  echo "$state"
}

# build_release: build/release as the benchmarks run it (Release, the bench tools, no tests).
build_release() {
  log "building build/release"
  configure_and_build build/release -DCMAKE_BUILD_TYPE=Release -DPEND_BUILD_TESTS=OFF \
    -DPEND_BUILD_BENCH=ON >/dev/null
}

# bench_database: a throwaway PostgreSQL under $TMP/pg (stock settings) with database
# pend_bench, migrated; its port in pg_port and its URL in DB_URL.
bench_database() {
  pg_port=$(free_port)
  log "starting PostgreSQL on 127.0.0.1:$pg_port"
  start_postgres "$TMP/pg" "$pg_port"
  ensure_database "$pg_port" pend_bench
  DB_URL="postgresql://pend_bench@127.0.0.1:$pg_port/pend_bench"
  DATABASE_URL=$DB_URL PEND_ENV=development build/release/pend-server migrate --no-dotenv >/dev/null
}
