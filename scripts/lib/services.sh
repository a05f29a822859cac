# shellcheck shell=bash
# Start and stop the servers pend-server depends on: PostgreSQL, Redis and the anvil EVM node.
# Shared by scripts/dev, scripts/test and scripts/db/* (bench/http.sh uses common.sh only).
# Source it; it defines functions and PG_BIN only. Every process is stopped by its pid
# (pg_ctl reads the postmaster's from its pid file), never by name. Redis and anvil run in
# their own session (setsid), so a Ctrl-C in the terminal reaches only the script, which
# stops them in order.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

# as_postgres COMMAND...: initdb and pg_ctl refuse to run as root; run them as `postgres`.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# postgres_can_enter DIR: the user that runs PostgreSQL can reach DIR (every parent searchable).
postgres_can_enter() {
  local dir; dir=$(realpath -m "$1")
  as_postgres test -d "$dir" -a -x "$dir"
}

# postgres_can_use DIR: the user that runs PostgreSQL can reach and write DIR.
postgres_can_use() {
  local dir; dir=$(realpath -m "$1")
  as_postgres test -d "$dir" -a -w "$dir" -a -x "$dir"
}

# postgres_running DATADIR
postgres_running() {
  local data; data=$(realpath -m "$1")
  [ -f "$data/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# postgres_port DATADIR: the port a running server listens on (line 4 of postmaster.pid).
postgres_port() { sed -n 4p "$1/postmaster.pid"; }

# start_postgres DATADIR PORT [SERVER_OPTION...]: initdb on first use (UTF-8, trust auth,
# superuser `postgres`), then start it listening on 127.0.0.1:PORT only, with its Unix socket
# inside DATADIR (or none when that path is too long for a socket). Options such as
# "-c fsync=off" are passed to the server. Logs: DATADIR/server.log.
start_postgres() {
  local data port=$2
  data=$(realpath -m "$1")
  shift 2
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql (run scripts/install-deps)"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; fi
  chmod 700 "$data"
  postgres_can_use "$data" ||
    die "the postgres user cannot reach $data (a parent directory is not searchable by others)"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initdb $data"
    if ! as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$data.initdb.log" 2>&1; then
      cat "$data.initdb.log" >&2
      die "initdb $data failed"
    fi
  fi
  local socket_dir="$data"
  ((${#data} + 20 < 100)) || socket_dir="" # sun_path holds 107 bytes, with .s.PGSQL.NNNNN
  local options="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$socket_dir'"
  local opt
  for opt in "$@"; do options+=" $opt"; done
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -o "$options" \
    start >/dev/null; then
    tail -20 "$data/server.log" >&2 || true
    die "PostgreSQL ($data) did not start on port $port"
  fi
}

# stop_postgres DATADIR: fast shutdown (rolls back open transactions), waits for it.
stop_postgres() {
  local data; data=$(realpath -m "$1")
  postgres_running "$data" || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null ||
    warn "pg_ctl stop -D $data failed; see $data/server.log"
}

# ensure_database PORT NAME: a login role NAME (CREATEDB, for tests that make scratch
# databases) and a database NAME it owns, on 127.0.0.1:PORT. Idempotent.
ensure_database() {
  local port=$1 name=$2
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -X -q -t -A
    -v ON_ERROR_STOP=1)
  [ "$("${psql[@]}" -c "SELECT count(*) FROM pg_roles WHERE rolname = '$name'")" = 1 ] ||
    "${psql[@]}" -c "CREATE ROLE \"$name\" LOGIN CREATEDB"
  [ "$("${psql[@]}" -c "SELECT count(*) FROM pg_database WHERE datname = '$name'")" = 1 ] ||
    "${psql[@]}" -c "CREATE DATABASE \"$name\" OWNER \"$name\""
}

# redis_running DIR: the redis-server whose pid DIR/redis.pid holds is alive.
redis_running() {
  local pid
  pid=$(cat "$1/redis.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && grep -qa redis-server "/proc/$pid/cmdline" 2>/dev/null
}

# redis_port DIR: the port of the Redis that start_redis left in DIR.
redis_port() { cat "$1/redis.port"; }

# start_redis DIR PORT [REDIS_OPTION...]: redis-server on 127.0.0.1:PORT with DIR as its
# working directory; DIR/redis.pid and DIR/redis.port record it, DIR/redis.log is its log.
# Without options it keeps nothing on disk (--save '' --appendonly no).
start_redis() {
  local dir=$1 port=$2; shift 2
  command -v redis-server >/dev/null || die "redis-server is missing (run scripts/install-deps)"
  mkdir -p "$dir"
  (($#)) || set -- --save '' --appendonly no
  setsid redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no \
    --logfile "$dir/redis.log" "$@" </dev/null >/dev/null 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/redis.pid"
  echo "$port" >"$dir/redis.port"
  if ! wait_for --pid "$pid" "Redis on 127.0.0.1:$port" 30 redis-cli -h 127.0.0.1 -p "$port" ping; then
    tail -20 "$dir/redis.log" >&2 || true
    stop_redis "$dir"
    die "Redis did not start"
  fi
}

# stop_redis DIR: SIGTERM (Redis saves first when it was started with save points).
stop_redis() { stop_pid_file "$1/redis.pid" 30; }

# start_anvil DIR PORT [ANVIL_ARGS...]: the local EVM node from node_modules on
# 127.0.0.1:PORT, answering JSON-RPC over HTTP. DIR/anvil.pid records it, DIR/anvil.log is
# its output.
start_anvil() {
  local dir=$1 port=$2
  shift 2
  local anvil="$PEND_REPO_ROOT/node_modules/.bin/anvil"
  [ -x "$anvil" ] || die "anvil is missing from node_modules (run scripts/install-deps)"
  mkdir -p "$dir"
  setsid "$anvil" --host 127.0.0.1 --port "$port" --silent "$@" </dev/null >"$dir/anvil.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/anvil.pid"
  if ! wait_for --pid "$pid" "anvil on 127.0.0.1:$port" 60 curl -sf -m 2 -X POST \
    -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' \
    "http://127.0.0.1:$port"; then
    tail -20 "$dir/anvil.log" >&2 || true
    stop_anvil "$dir"
    die "anvil did not start"
  fi
}

stop_anvil() { stop_pid_file "$1/anvil.pid" 10; }
