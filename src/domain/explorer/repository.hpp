// SQL of the explorer: the chain tables as the indexer keeps them (migrations/013), read by
// their indexes only. Lists are keyset pages (never OFFSET) over consensus rows; a block or
// transaction asked for by hash is found whether or not it is still consensus. Hashes and
// addresses go in and come out as lowercase hex without 0x (encode/decode in SQL).
#pragma once

#include "db/database.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pend::domain::explorer {

class ExplorerRepository {
 public:
  explicit ExplorerRepository(db::Database& database) : database_(database) {}

  // Consensus blocks below `below` (none: from the head), latest first.
  boost::asio::awaitable<db::Result> blocks(std::optional<std::int64_t> below, std::int64_t limit,
                                            const db::Scope& scope);
  // Replaced blocks before (number, hash hex), latest first.
  boost::asio::awaitable<db::Result> replaced_blocks(std::optional<std::int64_t> number,
                                                     const std::string& hash, std::int64_t limit,
                                                     const db::Scope& scope);
  boost::asio::awaitable<db::Result> block_by_number(std::int64_t number, const db::Scope& scope);
  boost::asio::awaitable<db::Result> block_by_hash(const std::string& hash, const db::Scope& scope);
  // A block's transactions after index `after`, in order.
  boost::asio::awaitable<db::Result> block_transactions(const std::string& block_hash,
                                                        std::int64_t after, std::int64_t limit,
                                                        const db::Scope& scope);
  // Consensus transactions before (block number, index), latest first.
  boost::asio::awaitable<db::Result> transactions(std::int64_t block, std::int64_t index,
                                                  std::int64_t limit, const db::Scope& scope);
  // The consensus copy of a transaction, else its latest replaced one.
  boost::asio::awaitable<db::Result> transaction(const std::string& hash, const db::Scope& scope);
  boost::asio::awaitable<db::Result> logs(const std::string& transaction_hash,
                                          const std::string& block_hash, std::int64_t after,
                                          std::int64_t limit, const db::Scope& scope);
  boost::asio::awaitable<db::Result> transfers(const std::string& transaction_hash,
                                               const std::string& block_hash,
                                               const db::Scope& scope);
  // One row: consensus transactions from or to it, token transfers from or to it, first and
  // last seen (their timestamps), whether it is a contract (created by a transaction, or a
  // token), the latest stored coin balance and its block (NULL when never read).
  boost::asio::awaitable<db::Result> address_summary(const std::string& address,
                                                     const db::Scope& scope);
  // Consensus transactions from or to it before (block number, index), latest first.
  boost::asio::awaitable<db::Result> address_transactions(const std::string& address,
                                                          std::int64_t block, std::int64_t index,
                                                          std::int64_t limit,
                                                          const db::Scope& scope);
  // Consensus token transfers from or to it before (block, log index, batch index).
  boost::asio::awaitable<db::Result> address_transfers(const std::string& address,
                                                       std::int64_t block, std::int64_t log,
                                                       std::int64_t batch, std::int64_t limit,
                                                       const db::Scope& scope);
  // Its token balances above zero after (token hex, token id), with the tokens' metadata.
  boost::asio::awaitable<db::Result> address_tokens(const std::string& address,
                                                    const std::string& after_token,
                                                    const std::string& after_id, std::int64_t limit,
                                                    const db::Scope& scope);
  // Tokens after the address (hex), in address order.
  boost::asio::awaitable<db::Result> tokens(const std::string& after, std::int64_t limit,
                                            const db::Scope& scope);
  // One token with its holders and consensus transfers counted.
  boost::asio::awaitable<db::Result> token(const std::string& address, const db::Scope& scope);
  boost::asio::awaitable<db::Result> token_transfers(const std::string& token, std::int64_t block,
                                                     std::int64_t log, std::int64_t batch,
                                                     std::int64_t limit, const db::Scope& scope);
  // Holders with a balance above zero, largest first, after (value, address hex).
  boost::asio::awaitable<db::Result> token_holders(const std::string& token,
                                                   const std::string& after_value,
                                                   const std::string& after_address,
                                                   std::int64_t limit, const db::Scope& scope);
  // Tokens whose symbol or name starts with the text (any case), at most limit.
  boost::asio::awaitable<db::Result> tokens_named(const std::string& prefix, std::int64_t limit,
                                                  const db::Scope& scope);
  // Whether a transaction with this hash is stored (1 row) or not (none).
  boost::asio::awaitable<db::Result> transaction_exists(const std::string& hash,
                                                        const db::Scope& scope);

  // One row: head, next block, chain id, reorgs, deepest reorg, updated_at, consensus
  // transactions in total and since midnight UTC, average seconds between the last 100
  // consensus blocks.
  boost::asio::awaitable<db::Result> stats(const db::Scope& scope);

 private:
  db::Database& database_;
};

}  // namespace pend::domain::explorer
