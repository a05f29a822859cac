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

#define PEND_TRANSFER_COLUMNS                                                               \
  "log_index, batch_index, encode(token_address, 'hex'), token_type, encode(from_address, " \
  "'hex'), encode(to_address, 'hex'), amount::text, token_id::text, block_number, "         \
  "encode(transaction_hash, 'hex'), block_timestamp"
#define PEND_TOKEN_COLUMNS \
  "encode(contract_address, 'hex'), type, name, symbol, decimals, total_supply::text, tracked"

// A union of the "from" and the "to" index scans, each already in key order and cut at the
// limit: the planner merges two short range scans instead of filtering one long one. The
// "to" scan leaves out what the "from" one finds (a transaction to oneself), so no
// deduplication. The address is matched as `= ANY (ARRAY[...])` and leads each ORDER BY, so
// that the prepared statement's generic plan reads the address's own index whatever the
// address (the reason: etherscan.cpp, PEND_ETHERSCAN_TXBRANCH). Both run with that generic
// plan (db::Statement::generic_plan): a custom one is made anew each call, for a cost of
// about twice that of running the query.
#define PEND_ADDRESS_IS(COLUMN) COLUMN " = ANY (ARRAY[decode($1, 'hex')])"
constexpr db::Statement kAddressTransactions{
    .name = "explorer.address_transactions",
    .sql = "SELECT * FROM ((SELECT " PEND_TRANSACTION_COLUMNS
    " FROM transactions WHERE block_consensus AND " PEND_ADDRESS_IS("from_address")
    " AND (block_number, index) < ($2, $3) "
    "ORDER BY from_address, block_number DESC, index DESC LIMIT $4) UNION ALL (SELECT "
    PEND_TRANSACTION_COLUMNS " FROM transactions WHERE block_consensus AND "
    PEND_ADDRESS_IS("to_address") " AND from_address <> decode($1, 'hex') AND "
    "(block_number, index) < ($2, $3) ORDER BY to_address, block_number DESC, index DESC "
    "LIMIT $4)) u ORDER BY 2 DESC, 4 DESC LIMIT $4",
    .generic_plan = true};
constexpr db::Statement kAddressTransfers{
    .name = "explorer.address_transfers",
    .sql = "SELECT * FROM ((SELECT " PEND_TRANSFER_COLUMNS
    " FROM token_transfers WHERE block_consensus AND " PEND_ADDRESS_IS("from_address")
    " AND (block_number, log_index, batch_index) < ($2, $3, $4) ORDER BY from_address, "
    "block_number DESC, log_index DESC, batch_index DESC LIMIT $5) UNION ALL (SELECT "
    PEND_TRANSFER_COLUMNS " FROM token_transfers WHERE block_consensus AND "
    PEND_ADDRESS_IS("to_address") " AND from_address <> decode($1, 'hex') AND "
    "(block_number, log_index, batch_index) < ($2, $3, $4) ORDER BY to_address, "
    "block_number DESC, log_index DESC, batch_index DESC LIMIT $5)) u "
    "ORDER BY 9 DESC, 1 DESC, 2 DESC LIMIT $5",
    .generic_plan = true};
constexpr db::Statement kAddressSummary{
    "explorer.address_summary",
    "WITH a AS (SELECT decode($1, 'hex') AS address), "
    "t AS (SELECT block_timestamp FROM transactions, a WHERE block_consensus AND from_address = "
    "a.address UNION ALL SELECT block_timestamp FROM transactions, a WHERE block_consensus AND "
    "to_address = a.address AND from_address <> a.address), "
    "x AS (SELECT block_timestamp FROM token_transfers, a WHERE block_consensus AND "
    "from_address = a.address UNION ALL SELECT block_timestamp FROM token_transfers, a WHERE "
    "block_consensus AND to_address = a.address AND from_address <> a.address), "
    "b AS (SELECT value, block_number FROM address_coin_balances, a WHERE "
    "address_coin_balances.address = a.address ORDER BY block_number DESC LIMIT 1) "
    "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM x), "
    "(SELECT min(block_timestamp) FROM (SELECT block_timestamp FROM t UNION ALL SELECT "
    "block_timestamp FROM x) s), (SELECT max(block_timestamp) FROM (SELECT block_timestamp "
    "FROM t UNION ALL SELECT block_timestamp FROM x) s), "
    "EXISTS (SELECT 1 FROM transactions, a WHERE created_contract_address = a.address) OR "
    "EXISTS (SELECT 1 FROM tokens, a WHERE contract_address = a.address), "
    "(SELECT value::text FROM b), (SELECT block_number FROM b), "
    "EXISTS (SELECT 1 FROM address_token_balances, a WHERE address_token_balances.address = "
    "a.address)"};
constexpr db::Statement kAddressTokens{
    "explorer.address_tokens",
    "SELECT encode(b.token_address, 'hex'), b.token_id::text, b.value::text, b.block_number, "
    "t.type, t.name, t.symbol, t.decimals FROM address_token_balances b "
    "LEFT JOIN tokens t ON t.contract_address = b.token_address "
    "WHERE b.address = decode($1, 'hex') AND b.value > 0 AND (b.token_address, b.token_id) > "
    "(decode($2, 'hex'), $3::numeric) ORDER BY b.token_address, b.token_id LIMIT $4"};
constexpr db::Statement kTokens{"explorer.tokens",
                                "SELECT " PEND_TOKEN_COLUMNS
                                " FROM tokens WHERE contract_address > decode($1, 'hex') "
                                "ORDER BY contract_address LIMIT $2"};
constexpr db::Statement kToken{
    "explorer.token",
    "SELECT " PEND_TOKEN_COLUMNS
    ", (SELECT count(DISTINCT address) FROM address_token_balances b WHERE b.token_address = "
    "tokens.contract_address AND b.value > 0), (SELECT count(*) FROM token_transfers x WHERE "
    "x.token_address = tokens.contract_address AND x.block_consensus) FROM tokens "
    "WHERE contract_address = decode($1, 'hex')"};
constexpr db::Statement kTokenTransfers{
    "explorer.token_transfers",
    "SELECT " PEND_TRANSFER_COLUMNS
    " FROM token_transfers WHERE token_address = decode($1, 'hex') AND block_consensus AND "
    "(block_number, log_index, batch_index) < ($2, $3, $4) ORDER BY block_number DESC, "
    "log_index DESC, batch_index DESC LIMIT $5"};
constexpr db::Statement kTokenHolders{
    "explorer.token_holders",
    "SELECT encode(b.address, 'hex'), b.token_id::text, b.value::text, b.block_number FROM "
    "address_token_balances b WHERE b.token_address = decode($1, 'hex') AND b.value > 0 AND "
    "(b.value, b.address) < ($2::numeric, decode($3, 'hex')) "
    "ORDER BY b.value DESC, b.address DESC LIMIT $4"};  // (b.: the numbers, not their text)
constexpr db::Statement kTokensNamed{
    "explorer.tokens_named",
    "SELECT " PEND_TOKEN_COLUMNS
    " FROM tokens WHERE lower(symbol) LIKE $1 ESCAPE '\\' OR lower(name) LIKE $1 ESCAPE "
    "'\\' ORDER BY tracked DESC, symbol, contract_address LIMIT $2"};
constexpr db::Statement kTransactionExists{
    "explorer.transaction_exists",
    "SELECT 1 FROM transactions WHERE hash = decode($1, 'hex') LIMIT 1"};

#undef PEND_TRANSFER_COLUMNS
#undef PEND_TOKEN_COLUMNS
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

asio::awaitable<db::Result> ExplorerRepository::address_summary(const std::string& address,
                                                                const db::Scope& scope) {
  co_return co_await database_.query(kAddressSummary, scope, address);
}

asio::awaitable<db::Result> ExplorerRepository::address_transactions(const std::string& address,
                                                                     std::int64_t block,
                                                                     std::int64_t index,
                                                                     std::int64_t limit,
                                                                     const db::Scope& scope) {
  co_return co_await database_.query(kAddressTransactions, scope, address, block, index, limit);
}

asio::awaitable<db::Result> ExplorerRepository::address_transfers(
    const std::string& address, std::int64_t block, std::int64_t log, std::int64_t batch,
    std::int64_t limit, const db::Scope& scope) {
  co_return co_await database_.query(kAddressTransfers, scope, address, block, log, batch, limit);
}

asio::awaitable<db::Result> ExplorerRepository::address_tokens(const std::string& address,
                                                               const std::string& after_token,
                                                               const std::string& after_id,
                                                               std::int64_t limit,
                                                               const db::Scope& scope) {
  co_return co_await database_.query(kAddressTokens, scope, address, after_token, after_id, limit);
}

asio::awaitable<db::Result> ExplorerRepository::tokens(const std::string& after, std::int64_t limit,
                                                       const db::Scope& scope) {
  co_return co_await database_.query(kTokens, scope, after, limit);
}

asio::awaitable<db::Result> ExplorerRepository::token(const std::string& address,
                                                      const db::Scope& scope) {
  co_return co_await database_.query(kToken, scope, address);
}

asio::awaitable<db::Result> ExplorerRepository::token_transfers(
    const std::string& token, std::int64_t block, std::int64_t log, std::int64_t batch,
    std::int64_t limit, const db::Scope& scope) {
  co_return co_await database_.query(kTokenTransfers, scope, token, block, log, batch, limit);
}

asio::awaitable<db::Result> ExplorerRepository::token_holders(const std::string& token,
                                                              const std::string& after_value,
                                                              const std::string& after_address,
                                                              std::int64_t limit,
                                                              const db::Scope& scope) {
  co_return co_await database_.query(kTokenHolders, scope, token, after_value, after_address,
                                     limit);
}

asio::awaitable<db::Result> ExplorerRepository::tokens_named(const std::string& prefix,
                                                             std::int64_t limit,
                                                             const db::Scope& scope) {
  co_return co_await database_.query(kTokensNamed, scope, prefix, limit);
}

asio::awaitable<db::Result> ExplorerRepository::transaction_exists(const std::string& hash,
                                                                   const db::Scope& scope) {
  co_return co_await database_.query(kTransactionExists, scope, hash);
}

asio::awaitable<db::Result> ExplorerRepository::stats(const db::Scope& scope) {
  co_return co_await database_.query(kStats, scope);
}

}  // namespace pend::domain::explorer
