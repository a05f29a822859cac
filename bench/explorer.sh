#!/usr/bin/env bash
# bench/explorer.sh: the explorer and Etherscan routes over a chain of BENCH_BLOCKS (20,000)
# blocks of BENCH_TXS (10) ERC-20 transfers each (bench/lib.sh chain_state, shared with
# bench/chain.sh), indexed into a throwaway PostgreSQL by the real indexer (chain_load
# indexer). bench/http.sh's method: Release build, full middleware chain, access log on,
# wrk -t2 -c200 -d15s, each route beside GET /api/v1/health/live on the same server in the
# same run. The routes:
#
#   - a block's detail (a fixed height, or random heights: bench/wrk/random_block.lua)
#   - the busiest address's transaction list, first page of 25
#   - Etherscan txlist of that address, page 1, offset 25, newest first
#
# on two servers over the same database and Redis, one at a time under load: `cached` as
# deployed (cache.enabled: the repeated questions come from Redis), then `uncached`
# (cache.enabled = false: every request reads PostgreSQL, the database's share). Between the
# two, BENCH_CONNECTIONS (19,000) connections at 1 request/s each on the cached block route,
# twice: in step (bench/wrk/delay_report.lua, 1 s after each answer) and paced at random
# (bench/wrk/paced_report.lua, 0-2 s, as independent clients are), the paced run beside
# health/live paced the same way. Rate limits are off (one client address makes every request).
# Prints a markdown table and each route's share of health/live's requests/s. Raw output:
# build/bench-explorer/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BLOCKS=${BENCH_BLOCKS:-20000}
TXS=${BENCH_TXS:-10}
DURATION=${BENCH_DURATION:-15}
MANY=${BENCH_CONNECTIONS:-19000}
MANY_DURATION=${BENCH_MANY_DURATION:-$((DURATION * 2))}
OUT=build/bench-explorer

command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps)"
raise_open_files "$MANY"
build_release
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
bench_temp explorer
uncached_pid=""
trap 'status=$?; stop_pid "$uncached_pid" 30; stop_anvil "$TMP/anvil" >/dev/null 2>&1 || true
  (exit $status); bench_cleanup' EXIT

bench_database
redis_port=$(free_port)
start_redis "$TMP/redis" "$redis_port"

STATE=$(chain_state "$BLOCKS" "$TXS")
anvil_port=$(free_port)
RPC="http://127.0.0.1:$anvil_port"
log "starting anvil on $RPC from $STATE"
start_anvil "$TMP/anvil" "$anvil_port" --timestamp 1700000000 --load-state "$STATE"
log "indexing the chain"
build/release/bench/chain_load indexer --rpc "$RPC" --database "$DB_URL" >"$OUT/index.txt" \
  2>"$OUT/index.err" || die "indexing failed ($OUT/index.err)"
cat "$OUT/index.txt"
psql_bench() {
  "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U pend_bench -d pend_bench -X -q -t -A -c "$1"
}
# As a database in service is: vacuumed and analyzed (its statistics for the planner, its
# hint bits set), and checkpointed, so that autovacuum's first pass over the rows just loaded
# and the writes it causes do not fall inside some of the runs.
log "vacuum, analyze, checkpoint"
"$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d pend_bench -X -q \
  -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
top=$(psql_bench "SELECT max(number) FROM blocks WHERE consensus")
busiest=0x$(psql_bench "SELECT encode(from_address, 'hex') FROM transactions GROUP BY 1
  ORDER BY count(*) DESC LIMIT 1")
log "head $top; busiest sender $busiest"

# serve NAME CACHE: a pend-server as bench/http.sh runs it, over the bench database and Redis;
# its pid and port in served_pid and served_port.
serve() {
  local port
  port=$(free_port)
  PEND_ENV=development PORT=$port PEND_SERVER_HOST=127.0.0.1 LOG_DIR="$TMP/logs-$1" \
    LOG_LEVEL=info PEND_SERVER_MAX_CONNECTIONS=30000 PEND_SERVER_MAX_CONNECTIONS_PER_IP=30000 \
    PEND_DATABASE_MAINTAIN_PARTITIONS=false PEND_WORKERS= PEND_METRICS_API_METRICS=false \
    PEND_RATE_LIMIT_ENABLED=false PEND_CACHE_ENABLED=$2 DATABASE_URL=$DB_URL \
    REDIS_URL="redis://127.0.0.1:$redis_port/0" PEND_CHAIN_RPC_URLS=$RPC \
    setsid build/release/pend-server serve --no-dotenv </dev/null >/dev/null 2>"$OUT/pend-$1.log" &
  served_pid=$! served_port=$port
  wait_for --pid "$served_pid" "pend-server :$port" 30 \
    curl -sf "http://127.0.0.1:$port/api/v1/health/live" || die "pend-server did not start ($OUT/pend-$1.log)"
}
serve cached true
pend_pid=$served_pid cached_port=$served_port
serve uncached false
uncached_pid=$served_pid uncached_port=$served_port

cached="http://127.0.0.1:$cached_port"
uncached="http://127.0.0.1:$uncached_port"
block="/api/v1/explorer/blocks/$((top / 2))"
address="/api/v1/explorer/addresses/$busiest/transactions?limit=25"
txlist="/api?module=account&action=txlist&address=$busiest&page=1&offset=25&sort=desc"
for path in "$block" "$address" "$txlist"; do  # each answers, and the block is cached
  curl -sf "$cached$path" -o /dev/null || die "GET $path failed"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$uncached/api/v1/explorer/blocks/$top")" = 200 ] ||
  die "the uncached server does not answer blocks"

# Each run starts with the page cache written out (sync): the servers log every request, some
# 3 GB a bench, and the earlier runs' writeback landing in a later run took 15-25% of its
# requests/s and widened its latencies (docs/benchmarks.md).
flat() { sync && run_wrk "$1" "$2" -t2 -c200 -d"${DURATION}s" -s "${3:-bench/wrk/report.lua}"; }
log "cached server, flat out: 2 threads, 200 connections, ${DURATION}s a route"
health_cached=$(flat health_cached "$cached/api/v1/health/live")
block_cached=$(flat block_cached "$cached$block")
address_cached=$(flat address_cached "$cached$address")
txlist_cached=$(flat txlist_cached "$cached$txlist")
log "$MANY connections at 1 request/s each on the cached block, ${MANY_DURATION}s a run"
# The paced runs first: right after an in-step run (closed by wrk with answers in flight),
# some of the next wrk's connections stay silent past the server's 5 s first-byte timeout
# and are closed (http_server_timeouts_total; docs/benchmarks.md).
many() { # many NAME URL SCRIPT
  drained "$cached" && run_wrk "$1" "$2" -t2 -c"$MANY" -d"${MANY_DURATION}s" --timeout 5s -s "$3"
}
health_paced=$(many health_paced "$cached/api/v1/health/live" bench/wrk/paced_report.lua)
block_paced=$(many block_paced "$cached$block" bench/wrk/paced_report.lua)
many=$(many block_many "$cached$block" bench/wrk/delay_report.lua)
server_counts=$(curl -sf "$cached/metrics" |
  grep -E '^http_server_(connections_refused|timeouts)_total' | tr '\n' ' ')
drained "$cached"
log "uncached server, flat out: 2 threads, 200 connections, ${DURATION}s a route"
health_uncached=$(flat health_uncached "$uncached/api/v1/health/live")
block_random=$(BENCH_TOP_BLOCK=$top flat block_random "$uncached/" bench/wrk/random_block.lua)
address_page=$(flat address_page "$uncached$address")
txlist_page=$(flat txlist "$uncached$txlist")
kill -0 "$pend_pid" 2>/dev/null && kill -0 "$uncached_pid" 2>/dev/null ||
  die "a pend-server exited during the run (see $OUT/pend-*.log)"

share() { awk -v r="$(field "$1" rps)" -v h="$(field "$2" rps)" 'BEGIN { printf "%.0f%%", 100 * r / h }'; }
row() { # row LABEL RESULT [HEALTH]
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" rps)" "$(field "$2" p50_ms)" \
    "$(field "$2" p99_ms)" "$(field "$2" errors)" "${3:+$(share "$2" "$3")}"
}
echo
echo "| run ($((top + 1)) blocks) | requests/s | p50 ms | p99 ms | errors | of health/live |"
echo "|---|---:|---:|---:|---:|---:|"
row "health/live, cached server" "$health_cached"
row "block detail, cached" "$block_cached" "$health_cached"
row "address transactions, 25, cached" "$address_cached" "$health_cached"
row "Etherscan txlist, 25, cached" "$txlist_cached" "$health_cached"
row "block detail, cached, $MANY connections at 1 req/s, in step" "$many"
row "health/live, $MANY connections, paced 0-2 s" "$health_paced"
row "block detail, cached, $MANY connections, paced 0-2 s" "$block_paced"
row "health/live, uncached server" "$health_uncached"
row "block detail, random heights, uncached" "$block_random" "$health_uncached"
row "address transactions, 25, uncached" "$address_page" "$health_uncached"
row "Etherscan txlist, 25, uncached" "$txlist_page" "$health_uncached"
echo
echo "targets: cached >= 60% of health/live, uncached point reads >= 30%, p99 < 50 ms at 200"
echo "connections; $MANY connections: p99 < 100 ms, no errors. Raw output: $OUT/"
echo "cached server: $server_counts"
