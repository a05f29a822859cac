# shellcheck shell=bash source-path=SCRIPTDIR
# The rolling deploy shared by scripts/deploy/staging and scripts/deploy/production, for
# hosts that run deploy/systemd/*.service (docs/deployment/systemd.md). Source it, then
# call `deploy_main ENV "$@"`. It defines functions and deploy_* variables only.
#
# What a deploy does, in order; a failure before step 6 stops it with nothing restarted:
#   1. build build/release (Release, no tests, no benchmarks), unless --binary FILE;
#   2. pack the binary, config/ and migrations/ into one tarball;
#   3. stage it on every host: /usr/local/bin/pend-server.new and
#      /usr/local/share/pend-server.new/{config,migrations}; `pend-server.new version`
#      proves the binary loads there (its shared libraries are present);
#   4. `config check` on every host with the staged binary and config, under the units'
#      user and environment file; the environment it reports must be ENV;
#   5. `pend-server migrate` once, on the first API host, with the staged binary and
#      migrations (so migrations must suit the release still running: expand, then contract);
#   6. one API host at a time: keep the running binary as pend-server.prev (and the share
#      directory as pend-server.prev), move the staged one in, `systemctl restart
#      pend-server`, poll `pend-server healthcheck` (GET /api/v1/health/ready) until 200 or
#      the deadline. A host that fails is rolled back (pend-server.prev moved back,
#      restarted, checked) and the rollout stops, exit 1, with the other hosts as they are;
#   7. then the worker hosts (the API hosts and --worker-hosts): each running
#      pend-server-worker@* unit is restarted in turn and must stay active for
#      --worker-settle seconds; a failure rolls that host back (its API too) and stops.
#
# The remote steps are the _deploy_remote_* functions below: they are sent with the values
# they need to `sudo bash -s` over ssh (`declare -f`), so what runs on a host is exactly
# what is written here. With --dry-run nothing is built, copied or run and no ssh
# connection is made: every command is printed instead (each remote function's body the
# first time it is used).

# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# The layout on a host; deploy/systemd/*.service name the same paths, user and defaults.
deploy_bin=/usr/local/bin/pend-server
deploy_share=/usr/local/share/pend-server
deploy_upload=/usr/local/share/pend-server.upload.tar.gz
deploy_user=pend-server
deploy_env_file=/etc/pend-server/pend-server.env
deploy_migrate_env_file=/etc/pend-server/migrate.env # optional: the schema owner's DATABASE_URL
deploy_unit_env=(PEND_ENV=production LOG_DIR=/var/log/pend-server
  UPLOAD_DIR=/var/lib/pend-server/uploads)

# What deploy_main's caller may set first.
deploy_require_clean=${deploy_require_clean:-0} # refuse a work tree with changes
deploy_confirm=${deploy_confirm:-0}             # ask before touching the hosts (or --yes)

deploy_usage() {
  cat >&2 <<EOF
usage: scripts/deploy/$deploy_env [options]

  --hosts "H1 H2"        API hosts, in rollout order (default: \$PEND_DEPLOY_HOSTS); ssh
                         destinations such as api-1 or deploy@10.0.1.21
  --worker-hosts "W1"    hosts whose pend-server-worker@ units are restarted after the API
                         (default: \$PEND_DEPLOY_WORKER_HOSTS, else the API hosts); only
                         units that are running are restarted
  --binary FILE          deploy this binary instead of building build/release
  --health-timeout N     seconds a restarted API host has to answer ready (default:
                         \$PEND_DEPLOY_HEALTH_TIMEOUT or 60)
  --worker-settle N      seconds a restarted worker must stay active (default:
                         \$PEND_DEPLOY_WORKER_SETTLE or 10)
  --port N               the API port on the hosts (default: \$PEND_DEPLOY_PORT or 8080)
  --dry-run              print every command instead of running it; no ssh
  --yes                  do not ask for confirmation (production)
  -h, --help

Environment: PEND_DEPLOY_SSH (the ssh command, default "ssh -o BatchMode=yes -o
ConnectTimeout=10"), PEND_DEPLOY_SUDO ("sudo"; empty when ssh logs in as root). The
remote user needs passwordless sudo. Give PEND_DEPLOY_* on the command line rather than
exporting them: pend-server refuses unknown PEND_* variables in its own environment.
EOF
  exit "${1:-0}"
}

# deploy_say TEXT...: what dry-run prints instead of running.
deploy_say() { printf '[dry-run] %s\n' "$*"; }

# deploy_local COMMAND...: runs it, or prints it in dry-run.
deploy_local() {
  if ((deploy_dry_run)); then
    deploy_say "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

# --- what runs on a host (as root, through bash -s) -------------------------------------

# _deploy_remote_stage: unpack the uploaded tarball into the .new binary and share
# directory, and check that the binary runs here.
_deploy_remote_stage() {
  rm -rf "$deploy_share.new"
  mkdir -p "$deploy_share.new"
  tar -xzf "$deploy_upload" -C "$deploy_share.new" --no-same-owner
  rm -f "$deploy_upload"
  install -m 0755 "$deploy_share.new/pend-server" "$deploy_bin.new"
  rm -f "$deploy_share.new/pend-server"
  chmod -R u=rwX,go=rX "$deploy_share.new"
  [ -f "$deploy_env_file" ] || echo "warning: $(hostname): no $deploy_env_file" >&2
  printf '%s: staged ' "$(hostname)"
  "$deploy_bin.new" version </dev/null
}

# _deploy_remote_run MIGRATE_ENV(0|1) WORKDIR BINARY ARGS...: BINARY ARGS as the units run
# it: their user, environment file and defaults, in WORKDIR (where config/ and migrations/
# are). With MIGRATE_ENV 1 the optional migrate.env is read last (it wins).
_deploy_remote_run() {
  local migrate_env=$1 workdir=$2 binary=$3
  shift 3
  local properties=(-p "User=$deploy_user" -p "Group=$deploy_user" -p "WorkingDirectory=$workdir"
    -p "EnvironmentFile=$deploy_env_file")
  if ((migrate_env)); then properties+=(-p "EnvironmentFile=-$deploy_migrate_env_file"); fi
  local setting
  for setting in "${deploy_unit_env[@]}"; do properties+=(-E "$setting"); done
  properties+=(-E "SERVER_INSTANCE=$(hostname)-deploy")
  systemd-run --quiet --wait --pipe --collect "${properties[@]}" -- \
    "$binary" "$@" --no-dotenv </dev/null
}

# _deploy_remote_check ENV: the staged binary validates the staged config under the units'
# environment, and that environment is ENV.
_deploy_remote_check() {
  local want=$1 out status=0
  out=$(_deploy_remote_run 0 "$deploy_share.new" "$deploy_bin.new" config check 2>&1 >/dev/null) ||
    status=$?
  printf '%s: %s\n' "$(hostname)" "$out"
  ((status == 0)) || return "$status"
  if [[ "$out" != *"configuration is valid ($want)"* ]]; then
    echo "$(hostname): this host's configuration is not $want (set PEND_ENV in $deploy_env_file)" >&2
    return 1
  fi
}

# _deploy_remote_migrate: pend-server migrate with the staged binary and migrations.
_deploy_remote_migrate() {
  _deploy_remote_run 1 "$deploy_share.new" "$deploy_bin.new" migrate
  _deploy_remote_run 1 "$deploy_share.new" "$deploy_bin.new" migrate status
}

# _deploy_remote_swap: the staged release becomes the current one; the current one is kept
# as .prev (the binary as a hard link, so the running process's file is untouched).
_deploy_remote_swap() {
  if [ ! -x "$deploy_bin.new" ] || [ ! -d "$deploy_share.new" ]; then
    echo "$(hostname): nothing staged" >&2
    return 1
  fi
  if [ -e "$deploy_bin" ]; then ln -f "$deploy_bin" "$deploy_bin.prev"; fi
  mv -f "$deploy_bin.new" "$deploy_bin"
  if [ -d "$deploy_share" ]; then
    rm -rf "$deploy_share.prev"
    mv "$deploy_share" "$deploy_share.prev"
  fi
  mv "$deploy_share.new" "$deploy_share"
  printf '%s: now ' "$(hostname)"
  "$deploy_bin" version </dev/null
}

# _deploy_remote_rollback: .prev becomes the current release again; the failed one is kept
# as .failed for a look.
_deploy_remote_rollback() {
  if [ ! -e "$deploy_bin.prev" ]; then
    echo "$(hostname): no $deploy_bin.prev to roll back to" >&2
    return 1
  fi
  ln -f "$deploy_bin" "$deploy_bin.failed"
  mv -f "$deploy_bin.prev" "$deploy_bin"
  if [ -d "$deploy_share.prev" ]; then
    rm -rf "$deploy_share.failed"
    mv "$deploy_share" "$deploy_share.failed"
    mv "$deploy_share.prev" "$deploy_share"
  fi
  printf '%s: rolled back to ' "$(hostname)"
  "$deploy_bin" version </dev/null
}

# _deploy_remote_wait_ready PORT SECONDS: poll the API's readiness until 200 (ready, or
# degraded without Redis), the unit failing, or the deadline.
_deploy_remote_wait_ready() {
  local url="http://127.0.0.1:$1/api/v1/health/ready" deadline=$((SECONDS + $2))
  until "$deploy_bin" healthcheck --url "$url" --timeout-ms 2000 --quiet </dev/null; do
    if systemctl is-failed --quiet pend-server </dev/null || ((SECONDS >= deadline)); then
      echo "$(hostname): pend-server is not ready (within $2 s):" >&2
      "$deploy_bin" healthcheck --url "$url" --timeout-ms 2000 </dev/null >&2 || true
      systemctl status --no-pager --lines=0 pend-server </dev/null >&2 || true
      journalctl -u pend-server -n 30 --no-pager </dev/null >&2 || true
      return 1
    fi
    sleep 1
  done
  printf '%s: ' "$(hostname)"
  "$deploy_bin" healthcheck --url "$url" --timeout-ms 2000 </dev/null
}

# _deploy_remote_restart_api PORT SECONDS
# (reset-failed first: a unit that crash-looped into its start limit refuses a restart.)
_deploy_remote_restart_api() {
  systemctl reset-failed pend-server </dev/null 2>/dev/null || true
  systemctl restart pend-server </dev/null
  _deploy_remote_wait_ready "$1" "$2"
}

# _deploy_remote_workers: the pend-server-worker@ units that run (or try to) here.
_deploy_remote_workers() {
  systemctl list-units --plain --no-legend --state=active,activating,failed \
    'pend-server-worker@*.service' </dev/null | awk '{print $1}'
}

# _deploy_remote_restart_workers SETTLE: restart each running worker unit in turn; each
# must stay active for SETTLE seconds.
_deploy_remote_restart_workers() {
  local settle=$1 unit i units
  units=$(_deploy_remote_workers)
  if [ -z "$units" ]; then
    echo "$(hostname): no pend-server-worker@ unit runs here"
    return 0
  fi
  for unit in $units; do
    systemctl reset-failed "$unit" </dev/null 2>/dev/null || true
    systemctl restart "$unit" </dev/null
    for ((i = 0; i < settle; i++)); do
      sleep 1
      if ! systemctl is-active --quiet "$unit" </dev/null; then
        echo "$(hostname): $unit did not stay active:" >&2
        systemctl status --no-pager --lines=0 "$unit" </dev/null >&2 || true
        journalctl -u "$unit" -n 30 --no-pager </dev/null >&2 || true
        return 1
      fi
    done
    echo "$(hostname): $unit restarted, active for ${settle}s"
  done
}

# _deploy_remote_rollback_host PORT SECONDS: after a failed worker: back to .prev, then
# restart what runs here (the API, if it does, then its workers).
_deploy_remote_rollback_host() {
  local unit
  _deploy_remote_rollback
  if systemctl is-active --quiet pend-server </dev/null; then
    _deploy_remote_restart_api "$1" "$2"
  fi
  for unit in $(_deploy_remote_workers); do
    systemctl reset-failed "$unit" </dev/null 2>/dev/null || true
    systemctl restart "$unit" </dev/null
  done
}

# --- the local side -----------------------------------------------------------------------

# deploy_remote_text FUNCTION ARGS...: the script bash -s runs on a host.
deploy_remote_text() {
  printf 'set -euo pipefail\n'
  declare -p deploy_bin deploy_share deploy_upload deploy_user deploy_env_file \
    deploy_migrate_env_file deploy_unit_env
  declare -f _deploy_remote_stage _deploy_remote_run _deploy_remote_check \
    _deploy_remote_migrate _deploy_remote_swap _deploy_remote_rollback \
    _deploy_remote_wait_ready _deploy_remote_restart_api _deploy_remote_workers \
    _deploy_remote_restart_workers _deploy_remote_rollback_host
  printf '%q ' "$@"
  printf '\n'
}

# deploy_quote TEXT: TEXT in single quotes, for a command line a person reads.
deploy_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# deploy_show FUNCTION: in dry-run, print a remote function's body once, and before it
# those of the remote functions it calls.
declare -A deploy_shown=()
deploy_show() {
  [ -z "${deploy_shown[$1]:-}" ] || return 0
  deploy_shown[$1]=1
  local body called
  body=$(declare -f "$1")
  while read -r called; do
    [ "$called" = "$1" ] || deploy_show "$called"
  done < <(grep -o '_deploy_remote_[a-z_]*' <<<"$body" | sort -u)
  printf '    %s\n' "${body//$'\n'/$'\n'    }"
}

# deploy_remote HOST FUNCTION ARGS...: run one of the functions above on HOST as root.
deploy_remote() {
  local host=$1
  shift
  if ((deploy_dry_run)); then
    if [ -z "${deploy_shown[$1]:-}" ]; then
      deploy_say "on the hosts, as root, after 'set -euo pipefail' and the deploy_* values:"
      deploy_show "$1"
    fi
    deploy_say "${deploy_ssh[*]} $host $(deploy_quote "$deploy_root_shell") <<< \"\$the_functions; $*\""
    return 0
  fi
  deploy_remote_text "$@" | "${deploy_ssh[@]}" "$host" "$deploy_root_shell"
}

# deploy_upload_to HOST TARBALL
deploy_upload_to() {
  local command="${deploy_sudo:+$deploy_sudo }sh -c 'umask 077; cat > $deploy_upload'"
  if ((deploy_dry_run)); then
    deploy_say "${deploy_ssh[*]} $1 $(deploy_quote "$command") < $2"
    return 0
  fi
  "${deploy_ssh[@]}" "$1" "$command" <"$2"
}

# deploy_pack BINARY TARBALL: the binary, config/ and migrations/, and a REVISION file.
deploy_pack() {
  local binary=$1 tarball=$2 stage
  if ((deploy_dry_run)); then
    deploy_say "tar -czf $tarball pend-server (from $binary) config/ migrations/ REVISION"
    return 0
  fi
  stage=$(mktemp -d)
  cp "$binary" "$stage/pend-server"
  cp -r "$PEND_REPO_ROOT/config" "$PEND_REPO_ROOT/migrations" "$stage/"
  {
    git -C "$PEND_REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown
    "$binary" version 2>/dev/null || echo "pend-server (a binary that does not run here)"
  } >"$stage/REVISION"
  tar -czf "$tarball" --owner=0 --group=0 --numeric-owner -C "$stage" \
    pend-server config migrations REVISION
  tr '\n' ' ' <"$stage/REVISION" >"$(dirname "$tarball")/REVISION"
  rm -rf "$stage"
}

# deploy_rollback_api HOST: after a failed restart: back to .prev, restart, check.
deploy_rollback_api() {
  warn "$1: rolling back to the previous release"
  if deploy_remote "$1" _deploy_remote_rollback &&
    deploy_remote "$1" _deploy_remote_restart_api "$deploy_port" "$deploy_health_timeout"; then
    warn "$1: the previous release is back and ready"
  else
    warn "$1: the rollback did not come back ready: look at it now (journalctl -u pend-server)"
  fi
}

# deploy_report: which host runs what, after a stop.
deploy_report() {
  local host
  for host in "${deploy_hosts[@]}" "${deploy_worker_only[@]}"; do
    printf '  %-24s %s\n' "$host" "${deploy_state[$host]:-not restarted: the previous release runs (the new one is staged as .new)}" >&2
  done
}

deploy_main() {
  deploy_env=$1
  shift
  deploy_dry_run=0
  local hosts=${PEND_DEPLOY_HOSTS:-} worker_hosts=${PEND_DEPLOY_WORKER_HOSTS:-} binary="" yes=0
  deploy_health_timeout=${PEND_DEPLOY_HEALTH_TIMEOUT:-60}
  deploy_port=${PEND_DEPLOY_PORT:-8080}
  local settle=${PEND_DEPLOY_WORKER_SETTLE:-10}
  while (($#)); do
    case $1 in
      --hosts) [ $# -ge 2 ] || deploy_usage 2; hosts=$2; shift 2 ;;
      --worker-hosts) [ $# -ge 2 ] || deploy_usage 2; worker_hosts=$2; shift 2 ;;
      --binary) [ $# -ge 2 ] || deploy_usage 2; binary=$2; shift 2 ;;
      --health-timeout) [ $# -ge 2 ] || deploy_usage 2; deploy_health_timeout=$2; shift 2 ;;
      --worker-settle) [ $# -ge 2 ] || deploy_usage 2; settle=$2; shift 2 ;;
      --port) [ $# -ge 2 ] || deploy_usage 2; deploy_port=$2; shift 2 ;;
      --dry-run) deploy_dry_run=1; shift ;;
      --yes | -y) yes=1; shift ;;
      -h | --help) deploy_usage 0 ;;
      *) warn "unknown argument: $1"; deploy_usage 2 ;;
    esac
  done
  local number
  for number in "$deploy_health_timeout" "$deploy_port" "$settle"; do
    [[ "$number" =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: $number"
  done
  read -ra deploy_hosts <<<"$hosts"
  ((${#deploy_hosts[@]})) || die "no hosts: give --hosts \"api-1 api-2\" or PEND_DEPLOY_HOSTS"
  local workers_list
  read -ra workers_list <<<"${worker_hosts:-$hosts}"
  # Hosts that run workers but not the API: staged, checked, swapped with the workers.
  deploy_worker_only=()
  local host known known_host
  for host in "${workers_list[@]}"; do
    known=0
    for known_host in "${deploy_hosts[@]}"; do [ "$known_host" != "$host" ] || known=1; done
    ((known)) || deploy_worker_only+=("$host")
  done
  read -ra deploy_ssh <<<"${PEND_DEPLOY_SSH:-ssh -o BatchMode=yes -o ConnectTimeout=10}"
  deploy_sudo=${PEND_DEPLOY_SUDO-sudo}
  deploy_root_shell="${deploy_sudo:+$deploy_sudo }bash -s"
  declare -gA deploy_state=()

  local mode=""
  ((deploy_dry_run)) && mode=" (dry run: nothing is run)"
  log "deploying to $deploy_env$mode: API ${deploy_hosts[*]}; workers ${workers_list[*]}"
  if ((deploy_dry_run)); then
    deploy_say "the deploy_* values every remote script starts with:"
    declare -p deploy_bin deploy_share deploy_upload deploy_user deploy_env_file \
      deploy_migrate_env_file deploy_unit_env | sed 's/^/    /'
  fi

  if ((deploy_require_clean)) &&
    [ -n "$(git -C "$PEND_REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    if ((deploy_dry_run)); then
      warn "the work tree has uncommitted changes (a real $deploy_env deploy refuses them)"
    else
      die "the work tree has uncommitted changes: commit them, or deploy from a clean checkout"
    fi
  fi
  if ((deploy_confirm && !yes && !deploy_dry_run)); then
    local answer
    read -r -p "Deploy $(git -C "$PEND_REPO_ROOT" describe --always --dirty 2>/dev/null) to $deploy_env (${deploy_hosts[*]})? Type $deploy_env: " answer
    [ "$answer" = "$deploy_env" ] || die "not confirmed"
  fi

  # 1-2. build and pack
  if [ -z "$binary" ]; then
    log "building build/release (Release)"
    deploy_local configure_and_build "$PEND_REPO_ROOT/build/release" -DCMAKE_BUILD_TYPE=Release \
      -DPEND_BUILD_TESTS=OFF -DPEND_BUILD_BENCH=OFF
    binary=$PEND_REPO_ROOT/build/release/pend-server
  fi
  ((deploy_dry_run)) || [ -x "$binary" ] || die "no executable binary at $binary"
  local tmp tarball
  if ((deploy_dry_run)); then
    tmp=/tmp/pend-deploy.XXXXXX
  else
    tmp=$(mktemp -d /tmp/pend-deploy.XXXXXX)
    # shellcheck disable=SC2064 # expand tmp now
    trap "rm -rf '$tmp'" EXIT
  fi
  tarball=$tmp/pend-server.tar.gz
  deploy_pack "$binary" "$tarball"
  ((deploy_dry_run)) || log "release: $(cat "$tmp/REVISION")"

  # 3-4. stage and check everywhere before anything changes
  local all_hosts=("${deploy_hosts[@]}" "${deploy_worker_only[@]}")
  for host in "${all_hosts[@]}"; do
    log "$host: staging"
    deploy_upload_to "$host" "$tarball" || die "$host: upload failed; nothing was restarted"
    deploy_remote "$host" _deploy_remote_stage || die "$host: staging failed; nothing was restarted"
  done
  for host in "${all_hosts[@]}"; do
    log "$host: config check ($deploy_env)"
    deploy_remote "$host" _deploy_remote_check "$deploy_env" ||
      die "$host: the configuration does not pass; nothing was restarted"
  done

  # 5. migrations, once, before any restart
  log "${deploy_hosts[0]}: pend-server migrate"
  deploy_remote "${deploy_hosts[0]}" _deploy_remote_migrate ||
    die "${deploy_hosts[0]}: migrations failed (each file is all or nothing); nothing was restarted"

  # 6. the API, one host at a time
  for host in "${deploy_hosts[@]}"; do
    log "$host: swapping the binary and restarting pend-server"
    if ! deploy_remote "$host" _deploy_remote_swap; then
      deploy_state[$host]="staged, not swapped"
      warn "$host: swap failed"
      deploy_report
      die "rollout stopped at $host"
    fi
    if deploy_remote "$host" _deploy_remote_restart_api "$deploy_port" "$deploy_health_timeout"; then
      deploy_state[$host]="new release, ready"
    else
      warn "$host: not ready after the restart"
      deploy_rollback_api "$host"
      deploy_state[$host]="rolled back to the previous release"
      deploy_report
      die "rollout stopped at $host"
    fi
  done

  # 7. the workers, after every API host
  for host in "${workers_list[@]}"; do
    if [ -z "${deploy_state[$host]:-}" ]; then
      log "$host: swapping the binary (workers only)"
      deploy_remote "$host" _deploy_remote_swap || {
        deploy_report
        die "$host: swap failed; rollout stopped"
      }
      deploy_state[$host]="new release"
    fi
    log "$host: restarting its pend-server-worker@ units"
    if ! deploy_remote "$host" _deploy_remote_restart_workers "$settle"; then
      warn "$host: a worker did not stay up; rolling the host back"
      if deploy_remote "$host" _deploy_remote_rollback_host "$deploy_port" "$deploy_health_timeout"; then
        deploy_state[$host]="rolled back to the previous release (a worker failed)"
      else
        deploy_state[$host]="rollback FAILED (a worker failed): look at it now"
      fi
      deploy_report
      die "rollout stopped at $host"
    fi
  done

  if ((deploy_dry_run)); then
    deploy_say "not run above: what a host that fails its check runs (API: the first, then a restart and the same check; workers: the second):"
    deploy_show _deploy_remote_rollback
    deploy_show _deploy_remote_rollback_host
  fi
  if ((deploy_dry_run)); then log "dry run done: nothing was built, copied or restarted"; else log "deployed to $deploy_env: ${all_hosts[*]}"; fi
}
