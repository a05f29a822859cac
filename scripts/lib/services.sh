# Shared by scripts/dev, scripts/test and bench/http.sh: start and stop the local servers
# pend-server depends on. Source it; it defines functions only. Every process started here
# is stopped by its pid, never by name.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A TCP port on 127.0.0.1 nobody listens on (the kernel picks it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for DESCRIPTION SECONDS COMMAND...: retry COMMAND until it succeeds or time runs out.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what did not come up within ${seconds}s"
    sleep 0.1
  done
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DATADIR PORT: initdb on first use (as the postgres user when root), then
# start listening on 127.0.0.1:PORT with the socket inside DATADIR. Trust auth: local only.
start_postgres() {
  local data=$1 port=$2
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL binaries not found (scripts/install-deps)"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; chmod 700 "$data"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initdb $data"
    as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$data.initdb.log" 2>&1 || { cat "$data.initdb.log" >&2; die "initdb failed"; }
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 ${PG_EXTRA_OPTIONS:-}" start >/dev/null ||
    { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start"; }
}

stop_postgres() {
  local data=$1
  [ -f "$data/postmaster.pid" ] || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# ensure_database PORT DATADIR NAME: a role and a database NAME owned by it.
ensure_database() {
  local port=$1 host=$2 name=$3
  local psql=("$PG_BIN/psql" -h "$host" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='$name'" | grep -q 1 ||
    "${psql[@]}" -d postgres -c "CREATE ROLE $name LOGIN CREATEDB"
  "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 ||
    "${psql[@]}" -d postgres -c "CREATE DATABASE $name OWNER $name"
}

# start_redis DIR PORT: writes DIR/redis.pid.
start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize no --logfile "$dir/redis.log" &
  echo $! >"$dir/redis.pid"
  wait_for "Redis on port $port" 30 redis-cli -p "$port" ping
}

stop_pid_file() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# start_anvil DIR PORT: the local EVM node from node_modules; writes DIR/anvil.pid.
start_anvil() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  node_modules/.bin/anvil --host 127.0.0.1 --port "$port" --silent >"$dir/anvil.log" 2>&1 &
  echo $! >"$dir/anvil.pid"
  wait_for "anvil on port $port" 60 curl -sf -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' \
    "http://127.0.0.1:$port"
}

# configure_and_build DIR CMAKE_ARGS...: Ninja build of the given kind.
configure_and_build() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
