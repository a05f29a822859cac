#!/usr/bin/env bash
# bench/chain.sh: the indexer's catch-up of a BENCH_BLOCKS (20,000) block anvil chain with
# ERC-20 traffic (BENCH_TXS, 10, token transfers a block), beside its two ceilings measured in
# the same run: the node's (the same batched eth_getBlockByNumber + eth_getBlockReceipts
# fetches, parsed, with no database work) and the database's (the same rows, fetched into
# memory first, then COPYed batch by batch through the same store). Release build; a
# throwaway PostgreSQL (migrated, stock settings) and anvil under a temp dir. The chain is
# generated once and kept as an anvil state file in build/bench-chain/ for the next run
# (bench/lib.sh chain_state, shared with bench/explorer.sh).
#
# Prints a markdown table. Raw output: build/bench-chain/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BLOCKS=${BENCH_BLOCKS:-20000}
TXS=${BENCH_TXS:-10}
BATCH=${BENCH_BATCH:-100}
IN_FLIGHT=${BENCH_IN_FLIGHT:-4}
OUT=build/bench-chain

build_release
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
bench_temp chain
trap 'status=$?; stop_anvil "$TMP/anvil" >/dev/null 2>&1 || true; (exit $status); bench_cleanup' EXIT

bench_database

STATE=$(chain_state "$BLOCKS" "$TXS")
anvil_port=$(free_port)
RPC="http://127.0.0.1:$anvil_port"
log "starting anvil on $RPC from $STATE"
start_anvil "$TMP/anvil" "$anvil_port" --timestamp 1700000000 --load-state "$STATE"

run() {
  local mode=$1
  build/release/bench/chain_load "$mode" --rpc "$RPC" --database "$DB_URL" --batch "$BATCH" \
    --in-flight "$IN_FLIGHT" >"$OUT/$mode.txt" 2>"$OUT/$mode.err" ||
    die "chain_load $mode failed ($OUT/$mode.err)"
  cat "$OUT/$mode.txt"
}
figure() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$OUT/$1.txt"; }

log "node ceiling"
run node
log "database ceiling"
run db
log "indexer"
run indexer

node_bps=$(figure node blocks_per_s)
db_bps=$(figure db blocks_per_s)
ix_bps=$(figure indexer blocks_per_s)
slower=$(awk -v a="$node_bps" -v b="$db_bps" 'BEGIN { print (a < b ? a : b) }')
share=$(awk -v x="$ix_bps" -v s="$slower" 'BEGIN { printf "%.0f", 100 * x / s }')
echo
echo "| run ($BLOCKS blocks x $TXS transfers, batch $BATCH, $IN_FLIGHT in flight) | blocks | rows | seconds | blocks/s | rows/s |"
echo "|---|---:|---:|---:|---:|---:|"
for mode in node db indexer; do
  echo "| $mode | $(figure $mode blocks) | $(figure $mode rows) | $(figure $mode seconds) | $(figure $mode blocks_per_s) | $(figure $mode rows_per_s) |"
done
echo
echo "indexer: ${share}% of the slower ceiling (${slower} blocks/s)"
