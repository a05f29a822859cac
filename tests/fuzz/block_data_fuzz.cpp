// A node's answers for a block: eth_getBlockByNumber's block and eth_getBlockReceipts'
// receipts, two JSON texts separated by a NUL byte. parse_block either refuses with a reason
// or answers a block that holds together: one receipt per transaction in order, every hash
// and address its size, the logs in order and matching the bloom, and token transfers with
// exact decimal amounts. The same bytes are also read as one log for token_transfers_of:
//
//   byte 0   bits 0-2: topic count (mod 5); bits 3-4: topics[0] replaced by nothing (0),
//            Transfer (1), TransferSingle (2) or TransferBatch (3)
//   then     32 bytes per topic, the rest the data
#include "chain/block_data.hpp"
#include "chain/quantity.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace pend;
namespace json = boost::json;

namespace {

bool is_decimal(const std::string& text) {
  const auto value = chain::U256::from_decimal(text);
  return value && value->decimal() == text;
}

void check_transfers(const chain::LogData& log, const std::vector<chain::TokenTransfer>& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& t = out[i];
    if (t.log_index != log.log_index || t.transaction_hash != log.transaction_hash)
      __builtin_trap();
    if (t.token != log.address || t.from.size() != 20 || t.to.size() != 20) __builtin_trap();
    if (t.batch_index != i) __builtin_trap();
    if (t.amount && !is_decimal(*t.amount)) __builtin_trap();
    if (t.token_id && !is_decimal(*t.token_id)) __builtin_trap();
    switch (t.type) {
      case chain::TokenType::erc20:
        if (!t.amount || t.token_id) __builtin_trap();
        break;
      case chain::TokenType::erc721:
        if (t.amount || !t.token_id) __builtin_trap();
        break;
      case chain::TokenType::erc1155:
        if (!t.amount || !t.token_id) __builtin_trap();
        break;
    }
  }
  if (out.size() > 1 && log.topics[0] != chain::kTransferBatchTopic) __builtin_trap();
}

void check_block(const chain::BlockData& block, const json::value& receipts) {
  if (block.hash.size() != 32 || block.parent_hash.size() != 32 || block.miner.size() != 20)
    __builtin_trap();
  if (block.logs_bloom.size() != 256 || chain::logs_bloom(block.logs) != block.logs_bloom)
    __builtin_trap();
  if (block.timestamp < 0 || !is_decimal(block.gas_used) || !is_decimal(block.gas_limit))
    __builtin_trap();
  if (block.transactions.size() != receipts.as_array().size()) __builtin_trap();
  for (std::size_t i = 0; i < block.transactions.size(); ++i) {
    const auto& tx = block.transactions[i];
    if (tx.index != i || tx.hash.size() != 32 || tx.from.size() != 20) __builtin_trap();
    if (!tx.to.empty() && tx.to.size() != 20) __builtin_trap();
    if (!tx.created_contract.empty() && tx.created_contract.size() != 20) __builtin_trap();
    if (!is_decimal(tx.value) || !is_decimal(tx.gas)) __builtin_trap();
  }
  std::vector<chain::TokenTransfer> transfers;
  for (std::size_t i = 0; i < block.logs.size(); ++i) {
    const auto& log = block.logs[i];
    if (i > 0 && log.log_index <= block.logs[i - 1].log_index) __builtin_trap();
    if (log.address.size() != 20 || log.transaction_hash.size() != 32 || log.topics.size() > 4)
      __builtin_trap();
    for (const auto& topic : log.topics) {
      if (topic.size() != 32) __builtin_trap();
    }
    std::vector<chain::TokenTransfer> of_log;
    chain::token_transfers_of(log, of_log);
    check_transfers(log, of_log);
    transfers.insert(transfers.end(), of_log.begin(), of_log.end());
  }
  if (transfers.size() != block.transfers.size()) __builtin_trap();
}

// The log the raw bytes describe (see the top of the file).
chain::LogData log_of(std::string_view input) {
  chain::LogData log;
  if (input.empty()) return log;
  const auto flags = static_cast<std::uint8_t>(input[0]);
  input.remove_prefix(1);
  const std::size_t count = (flags & 7u) % 5;
  for (std::size_t i = 0; i < count && input.size() >= 32; ++i) {
    log.topics.emplace_back(input.substr(0, 32));
    input.remove_prefix(32);
  }
  if (!log.topics.empty()) {
    switch ((flags >> 3) & 3u) {
      case 1:
        log.topics[0] = chain::kTransferTopic;
        break;
      case 2:
        log.topics[0] = chain::kTransferSingleTopic;
        break;
      case 3:
        log.topics[0] = chain::kTransferBatchTopic;
        break;
      default:
        break;
    }
  }
  log.data = input;
  log.address = std::string(20, '\x01');
  log.transaction_hash = std::string(32, '\x02');
  log.log_index = flags;
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};

  const auto cut = input.find('\0');
  if (cut != std::string_view::npos) {
    boost::system::error_code block_error, receipts_error;
    const auto block = json::parse(input.substr(0, cut), block_error);
    const auto receipts = json::parse(input.substr(cut + 1), receipts_error);
    if (!block_error && !receipts_error) {
      std::string why;
      const auto parsed = chain::parse_block(block, receipts, &why);
      if (!parsed) {
        if (why.empty()) __builtin_trap();  // a refusal always says why
      } else {
        check_block(*parsed, receipts);
      }
      if (chain::parse_block(block, receipts, nullptr).has_value() != parsed.has_value())
        __builtin_trap();
    }
  }

  const auto log = log_of(input);
  std::vector<chain::TokenTransfer> transfers;
  chain::token_transfers_of(log, transfers);
  check_transfers(log, transfers);
  (void)chain::logs_bloom({log});
  return 0;
}
