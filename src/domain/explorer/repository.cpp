#include "domain/explorer/repository.hpp"

#include <limits>

namespace pend::domain::explorer {

namespace asio = boost::asio;

namespace {

// The columns routes.cpp reads, in this order.
#define PEND_BLOCK_COLUMNS                                                                     \
  "number, encode(hash, 'hex'), encode(parent_hash, 'hex'), timestamp, encode(miner, 'hex'), " \
  "gas_used::text, gas_limit::text, base_fee_per_gas::text, transaction_count, size, consensus"
#define PEND_TRANSACTION_COLUMNS                                                              \
  "encode(hash, 'hex'), block_number, encode(block_hash, 'hex'), index, block_timestamp, "    \
  "encode(from_address, 'hex'), encode(to_address, 'hex'), encode(created_contract_address, " \
  "'hex'), value::text, nonce, gas::text, gas_price::text, max_fee_per_gas::text, "           \
  "max_priority_fee_per_gas::text, effective_gas_price::text, gas_used::text, "               \
  "cumulative_gas_used::text, type, status, encode(method_id, 'hex'), encode(input, 'hex'), " \
  "block_consensus, (effective_gas_price * gas_used)::text"

constexpr db::Statement kBlocks{
    "explorer.blocks",
    "SELECT " PEND_BLOCK_COLUMNS
    " FROM blocks WHERE consensus AND number < $1 ORDER BY number DESC LIMIT $2"};
constexpr db::Statement kReplacedBlocks{
    "explorer.replaced_blocks",
    "SELECT " PEND_BLOCK_COLUMNS
    " FROM blocks WHERE NOT consensus AND (number, hash) < ($1, decode($2, 'hex')) "
    "ORDER BY number DESC, hash DESC LIMIT $3"};
constexpr db::Statement kBlockByNumber{"explorer.block_by_number",
                                       "SELECT " PEND_BLOCK_COLUMNS
                                       " FROM blocks WHERE number = $1 AND consensus"};
constexpr db::Statement kBlockByHash{"explorer.block_by_hash",
                                     "SELECT " PEND_BLOCK_COLUMNS
                                     " FROM blocks WHERE hash = decode($1, 'hex')"};
constexpr db::Statement kBlockTransactions{
    "explorer.block_transactions",
    "SELECT " PEND_TRANSACTION_COLUMNS
    " FROM transactions WHERE block_hash = decode($1, 'hex') AND index > $2 ORDER BY index "
    "LIMIT $3"};
constexpr db::Statement kTransactions{
    "explorer.transactions",
    "SELECT " PEND_TRANSACTION_COLUMNS
    " FROM transactions WHERE block_consensus AND (block_number, index) < ($1, $2) "
    "ORDER BY block_number DESC, index DESC LIMIT $3"};
constexpr db::Statement kTransaction{
    "explorer.transaction",
    "SELECT " PEND_TRANSACTION_COLUMNS
    " FROM transactions WHERE hash = decode($1, 'hex') ORDER BY block_consensus DESC, "
    "block_number DESC LIMIT 1"};
constexpr db::Statement kLogs{
    "explorer.logs",
    "SELECT log_index, encode(address, 'hex'), encode(topic0, 'hex'), encode(topic1, 'hex'), "
    "encode(topic2, 'hex'), encode(topic3, 'hex'), encode(data, 'hex') FROM logs "
    "WHERE transaction_hash = decode($1, 'hex') AND block_hash = decode($2, 'hex') "
    "AND log_index > $3 ORDER BY log_index LIMIT $4"};
constexpr db::Statement kTransfers{
    "explorer.transfers",
    "SELECT log_index, batch_index, encode(token_address, 'hex'), token_type, "
    "encode(from_address, 'hex'), encode(to_address, 'hex'), amount::text, token_id::text "
    "FROM token_transfers WHERE transaction_hash = decode($1, 'hex') AND "
    "block_hash = decode($2, 'hex') ORDER BY log_index, batch_index"};
constexpr db::Statement kStats{
    "explorer.stats",
    "SELECT s.head_block, s.next_block, s.chain_id, s.reorgs, s.deepest_reorg, s.updated_at, "
    "(SELECT coalesce(sum(transaction_count), 0) FROM blocks WHERE consensus)::bigint, "
    "(SELECT coalesce(sum(transaction_count), 0) FROM blocks WHERE consensus AND "
    "timestamp >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::bigint, "
    "(SELECT extract(epoch FROM max(timestamp) - min(timestamp)) / nullif(count(*) - 1, 0) "
    "FROM (SELECT timestamp FROM blocks WHERE consensus ORDER BY number DESC LIMIT 100) b)"
    "::float8 FROM chain_sync s WHERE s.name = 'main'"};

#undef PEND_BLOCK_COLUMNS
#undef PEND_TRANSACTION_COLUMNS

}  // namespace

asio::awaitable<db::Result> ExplorerRepository::blocks(std::optional<std::int64_t> below,
                                                       std::int64_t limit, const db::Scope& scope) {
  co_return co_await database_.query(
      kBlocks, scope, below.value_or(std::numeric_limits<std::int64_t>::max()), limit);
}

asio::awaitable<db::Result> ExplorerRepository::replaced_blocks(std::optional<std::int64_t> number,
                                                                const std::string& hash,
                                                                std::int64_t limit,
                                                                const db::Scope& scope) {
  // The first page starts above every key: the greatest number, and a hash above any.
  const std::string first(64, 'f');
  co_return co_await database_.query(kReplacedBlocks, scope,
                                     number.value_or(std::numeric_limits<std::int64_t>::max()),
                                     number ? hash : first, limit);
}

asio::awaitable<db::Result> ExplorerRepository::block_by_number(std::int64_t number,
                                                                const db::Scope& scope) {
  co_return co_await database_.query(kBlockByNumber, scope, number);
}

asio::awaitable<db::Result> ExplorerRepository::block_by_hash(const std::string& hash,
                                                              const db::Scope& scope) {
  co_return co_await database_.query(kBlockByHash, scope, hash);
}

asio::awaitable<db::Result> ExplorerRepository::block_transactions(const std::string& block_hash,
                                                                   std::int64_t after,
                                                                   std::int64_t limit,
                                                                   const db::Scope& scope) {
  co_return co_await database_.query(kBlockTransactions, scope, block_hash, after, limit);
}

asio::awaitable<db::Result> ExplorerRepository::transactions(std::int64_t block, std::int64_t index,
                                                             std::int64_t limit,
                                                             const db::Scope& scope) {
  co_return co_await database_.query(kTransactions, scope, block, index, limit);
}

asio::awaitable<db::Result> ExplorerRepository::transaction(const std::string& hash,
                                                            const db::Scope& scope) {
  co_return co_await database_.query(kTransaction, scope, hash);
}

asio::awaitable<db::Result> ExplorerRepository::logs(const std::string& transaction_hash,
                                                     const std::string& block_hash,
                                                     std::int64_t after, std::int64_t limit,
                                                     const db::Scope& scope) {
  co_return co_await database_.query(kLogs, scope, transaction_hash, block_hash, after, limit);
}

asio::awaitable<db::Result> ExplorerRepository::transfers(const std::string& transaction_hash,
                                                          const std::string& block_hash,
                                                          const db::Scope& scope) {
  co_return co_await database_.query(kTransfers, scope, transaction_hash, block_hash);
}

asio::awaitable<db::Result> ExplorerRepository::stats(const db::Scope& scope) {
  co_return co_await database_.query(kStats, scope);
}

}  // namespace pend::domain::explorer
