# shellcheck shell=bash
# Shared shell helpers: messages, free ports, wait loops, builds. Source it (bash only); it
# defines functions and PEND_REPO_ROOT and changes nothing else. scripts/lib/services.sh
# sources it.

PEND_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -t 2 ]; then _pend_bold=$'\033[1m' _pend_red=$'\033[31m' _pend_off=$'\033[0m'
else _pend_bold="" _pend_red="" _pend_off=""; fi

log() { printf '%s==> %s%s\n' "$_pend_bold" "$*" "$_pend_off" >&2; }
warn() { printf '%swarning:%s %s\n' "$_pend_red" "$_pend_off" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$_pend_red" "$_pend_off" "$*" >&2; exit 1; }

# port_in_use PORT [HOST]: something accepts TCP connections there.
port_in_use() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# port_bound PORT: some local TCP socket (any state, any address) uses PORT.
port_bound() {
  local tables=() t
  for t in /proc/net/tcp /proc/net/tcp6; do [ -r "$t" ] && tables+=("$t"); done
  ((${#tables[@]})) || return 1
  awk -v p="$(printf ':%04X$' "$1")" '$2 ~ p { found = 1 } END { exit !found }' "${tables[@]}"
}

# free_port: a TCP port on 127.0.0.1 that nothing uses, below the kernel's ephemeral range
# (so no outgoing connection, e.g. from wrk, can be holding it). Pure bash, no python.
free_port() {
  local low=32768 _high top port _
  read -r low _high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  top=$((low - 1))
  ((top > 11000)) || top=60999
  for _ in $(seq 200); do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % (top - 10000)))
    if ! port_bound "$port" && ! port_in_use "$port"; then echo "$port"; return 0; fi
  done
  die "no free TCP port found"
}

# wait_for [--pid PID] DESCRIPTION SECONDS COMMAND...: retries COMMAND every 0.1 s until it
# succeeds. Returns 1 with a message when SECONDS pass or when process PID has exited.
wait_for() {
  local pid=""
  if [ "$1" = --pid ]; then pid=$2; shift 2; fi
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      printf 'error: %s: the process exited before it was ready\n' "$what" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      printf 'error: %s: not ready within %ss (waited for: %s)\n' "$what" "$seconds" "$*" >&2
      return 1
    fi
    sleep 0.1
  done
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (10), then SIGKILL. Only for processes
# this shell started; never by name.
stop_pid() {
  local pid=$1 seconds=${2:-10} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "pid $pid did not stop within ${seconds}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true # reap it when it is our child
}

# stop_pid_file FILE [SECONDS]: stop_pid on the pid FILE holds, then remove FILE.
stop_pid_file() {
  local file=$1
  [ -f "$file" ] || return 0
  stop_pid "$(cat "$file")" "${2:-10}"
  rm -f "$file"
}

# configure_and_build DIR CMAKE_ARGS...: CMake + Ninja build of the repo into DIR. Configure
# output is shown only when it fails; the build uses every core (2 on CI).
configure_and_build() {
  local dir=$1; shift
  local out
  if ! out=$(cmake -S "$PEND_REPO_ROOT" -B "$dir" -G Ninja "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "error: cmake configure of $dir failed" >&2
    return 1
  fi
  cmake --build "$dir" -j "$(nproc)"
}
