// BlockData: one block as the indexer stores it, read from the node's answers
// (eth_getBlockByNumber with full transactions, and the block's receipts), with the token
// transfers its logs record. parse_block() checks what it reads: every hash and address the
// right length, every quantity exact, the receipts one per transaction and in order, and the
// logs against the header's logsBloom (a missing or extra log is an error, not silence).
//
//   std::string error;
//   auto block = chain::parse_block(block_json, receipts_json, &error);
//   if (!block) throw ...(error);
#pragma once

#include "chain/quantity.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pend::chain {

// Raw bytes (hashes 32, addresses 20) in std::string.
struct LogData {
  std::uint32_t log_index = 0;
  std::uint32_t transaction_index = 0;
  std::string transaction_hash;
  std::string address;
  std::vector<std::string> topics;  // 0 to 4
  std::string data;
};

struct TransactionData {
  std::string hash;
  std::uint32_t index = 0;
  std::string from, to, created_contract;  // to empty for a creation, created empty otherwise
  std::string value;                       // decimal
  std::uint64_t nonce = 0;
  std::string gas;
  std::optional<std::string> gas_price, max_fee_per_gas, max_priority_fee_per_gas,
      effective_gas_price, gas_used, cumulative_gas_used;
  std::uint8_t type = 0;
  std::optional<std::uint8_t> status;
  std::string input;
};

enum class TokenType : std::uint8_t { erc20, erc721, erc1155 };
const char* to_string(TokenType type);                            // "ERC-20", "ERC-721", "ERC-1155"
std::optional<TokenType> token_type_from(std::string_view text);  // the inverse

struct TokenTransfer {
  std::uint32_t log_index = 0;
  std::uint32_t batch_index = 0;
  std::string transaction_hash;
  std::string token;
  TokenType type = TokenType::erc20;
  std::string from, to;
  std::optional<std::string> amount, token_id;  // decimal
};

struct BlockData {
  std::string hash, parent_hash, miner;
  std::uint64_t number = 0;
  std::int64_t timestamp = 0;  // seconds since 1970
  std::string gas_used, gas_limit;
  std::optional<std::string> base_fee_per_gas;
  std::optional<std::uint64_t> size;
  std::string logs_bloom;  // 256 bytes
  std::vector<TransactionData> transactions;
  std::vector<LogData> logs;
  std::vector<TokenTransfer> transfers;
};

// The well-known event topics.
extern const std::string kTransferTopic;  // Transfer(address,address,uint256)
extern const std::string
    kTransferSingleTopic;  // TransferSingle(address,address,address,uint256,uint256)
extern const std::string
    kTransferBatchTopic;  // TransferBatch(address,address,address,uint256[],uint256[])

// receipts: the array eth_getBlockReceipts answers (or the per-transaction receipts in the
// block's order). nullopt with the reason in error when the answers do not make a block.
std::optional<BlockData> parse_block(const boost::json::value& block,
                                     const boost::json::value& receipts, std::string* error);

// The 2048-bit bloom of the logs (each log's address and topics), as the header holds it.
std::string logs_bloom(const std::vector<LogData>& logs);

// The token transfers a log records (none for other logs, or a malformed transfer log).
void token_transfers_of(const LogData& log, std::vector<TokenTransfer>& out);

}  // namespace pend::chain
