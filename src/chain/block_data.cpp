#include "chain/block_data.hpp"

#include "chain/abi.hpp"
#include "security/keccak.hpp"
#include "util/hex.hpp"

#include <boost/json/object.hpp>

namespace pend::chain {

namespace json = boost::json;

namespace {

std::string bytes_of_hex(std::string_view hex) { return util::from_hex(hex).value(); }

}  // namespace

const std::string kTransferTopic =
    bytes_of_hex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
const std::string kTransferSingleTopic =
    bytes_of_hex("c3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62");
const std::string kTransferBatchTopic =
    bytes_of_hex("4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb");

const char* to_string(TokenType type) {
  switch (type) {
    case TokenType::erc20:
      return "ERC-20";
    case TokenType::erc721:
      return "ERC-721";
    case TokenType::erc1155:
      return "ERC-1155";
  }
  return "ERC-20";
}

std::optional<TokenType> token_type_from(std::string_view text) {
  for (const auto type : {TokenType::erc20, TokenType::erc721, TokenType::erc1155}) {
    if (text == to_string(type)) return type;
  }
  return std::nullopt;
}

namespace {

// Reads the members of one JSON object, remembering the first problem.
class Reader {
 public:
  Reader(const json::value& value, std::string what, std::string* error)
      : object_(value.if_object()), what_(std::move(what)), error_(error) {
    if (object_ == nullptr) fail("", "is not an object");
  }
  bool ok() const { return ok_; }

  const json::string* text(std::string_view key, bool required = true) {
    if (object_ == nullptr) return nullptr;
    const auto* v = object_->if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) fail(key, "is missing");
      return nullptr;
    }
    if (!v->is_string()) {
      fail(key, "is not a string");
      return nullptr;
    }
    return &v->get_string();
  }
  std::string bytes(std::string_view key, std::size_t size) {
    const auto* t = text(key);
    if (t == nullptr) return {};
    auto b = data_bytes(*t, size);
    if (!b) fail(key, "is not " + std::to_string(size) + " bytes of hex");
    return b.value_or(std::string{});
  }
  std::string data(std::string_view key) {
    const auto* t = text(key);
    if (t == nullptr) return {};
    auto b = data_bytes(*t);
    if (!b) fail(key, "is not hex data");
    return b.value_or(std::string{});
  }
  std::optional<std::string> optional_address(std::string_view key) {
    const auto* t = text(key, false);
    if (t == nullptr) return std::nullopt;
    auto b = data_bytes(*t, 20);
    if (!b) fail(key, "is not an address");
    return b;
  }
  std::uint64_t u64(std::string_view key) {
    const auto* t = text(key);
    if (t == nullptr) return 0;
    const auto v = quantity_u64(*t);
    if (!v) fail(key, "is not a 64-bit quantity");
    return v.value_or(0);
  }
  // Indexes and small codes: a value past the field's range is refused, never cut.
  std::uint32_t u32(std::string_view key) {
    const auto v = u64(key);
    if (v > 0xffffffffu) fail(key, "is out of range");
    return static_cast<std::uint32_t>(v);
  }
  std::optional<std::uint8_t> optional_u8(std::string_view key) {
    const auto v = optional_u64(key);
    if (v && *v > 0xffu) fail(key, "is out of range");
    if (!v) return std::nullopt;
    return static_cast<std::uint8_t>(*v);
  }
  std::optional<std::uint64_t> optional_u64(std::string_view key) {
    if (text(key, false) == nullptr) return std::nullopt;
    return u64(key);
  }
  std::string decimal(std::string_view key) {
    const auto* t = text(key);
    if (t == nullptr) return "0";
    auto v = quantity_decimal(*t);
    if (!v) fail(key, "is not a quantity");
    return v.value_or("0");
  }
  std::optional<std::string> optional_decimal(std::string_view key) {
    if (text(key, false) == nullptr) return std::nullopt;
    return decimal(key);
  }
  const json::array* array(std::string_view key) {
    const auto* v = object_ ? object_->if_contains(key) : nullptr;
    if (v == nullptr || !v->is_array()) {
      fail(key, "is not an array");
      return nullptr;
    }
    return &v->get_array();
  }
  void fail(std::string_view key, const std::string& why) {
    if (!ok_) return;
    ok_ = false;
    if (error_ == nullptr) return;
    // Appended piece by piece (GCC 12's -Wrestrict misreads "." + std::string at -O3).
    std::string& out = *error_;
    out = what_;
    if (!key.empty()) out.append(".").append(key);
    out.append(" ").append(why);
  }

 private:
  const json::object* object_;
  std::string what_;
  std::string* error_;
  bool ok_ = true;
};

bool parse_log(const json::value& value, const std::string& block_hash, LogData& log,
               std::string* error) {
  Reader r(value, "log", error);
  log.log_index = r.u32("logIndex");
  log.transaction_index = r.u32("transactionIndex");
  log.transaction_hash = r.bytes("transactionHash", 32);
  log.address = r.bytes("address", 20);
  log.data = r.data("data");
  if (const auto* topics = r.array("topics")) {
    if (topics->size() > 4) r.fail("topics", "has more than 4 entries");
    for (const auto& topic : *topics) {
      const auto bytes = topic.is_string() ? data_bytes(topic.get_string(), 32) : std::nullopt;
      if (!bytes) {
        r.fail("topics", "holds a value that is not 32 bytes of hex");
        break;
      }
      log.topics.push_back(*bytes);
    }
  }
  if (r.ok() && r.bytes("blockHash", 32) != block_hash) r.fail("blockHash", "is another block's");
  if (const auto* object = value.if_object(); r.ok() && object != nullptr)
    if (const auto* removed = object->if_contains("removed");
        removed != nullptr && removed->is_bool() && removed->get_bool())
      r.fail("removed", "is true: the node answered from a replaced block");
  return r.ok();
}

// The address in a topic: 12 zero bytes, then 20.
std::optional<std::string> topic_address(const std::string& topic) {
  if (topic.size() != 32) return std::nullopt;
  for (std::size_t i = 0; i < 12; ++i) {
    if (topic[i] != '\0') return std::nullopt;
  }
  return topic.substr(12);
}

}  // namespace

std::string logs_bloom(const std::vector<LogData>& logs) {
  std::string bloom(256, '\0');
  const auto add = [&](std::string_view item) {
    const auto hash = security::keccak256(item);
    for (int i = 0; i < 6; i += 2) {
      const unsigned bit = ((static_cast<unsigned>(hash[i]) << 8) | hash[i + 1]) & 2047u;
      bloom[255 - bit / 8] =
          static_cast<char>(static_cast<unsigned char>(bloom[255 - bit / 8]) | (1u << (bit % 8)));
    }
  };
  for (const auto& log : logs) {
    add(log.address);
    for (const auto& topic : log.topics) add(topic);
  }
  return bloom;
}

void token_transfers_of(const LogData& log, std::vector<TokenTransfer>& out) {
  if (log.topics.empty()) return;
  const auto& topic0 = log.topics[0];
  TokenTransfer t;
  t.log_index = log.log_index;
  t.transaction_hash = log.transaction_hash;
  t.token = log.address;
  if (topic0 == kTransferTopic && log.topics.size() == 3 && log.data.size() == 32) {
    const auto from = topic_address(log.topics[1]), to = topic_address(log.topics[2]);
    if (!from || !to) return;
    t.type = TokenType::erc20;
    t.from = *from;
    t.to = *to;
    t.amount = U256::from_bytes(log.data).decimal();
    out.push_back(std::move(t));
  } else if (topic0 == kTransferTopic && log.topics.size() == 4 && log.data.empty()) {
    const auto from = topic_address(log.topics[1]), to = topic_address(log.topics[2]);
    if (!from || !to) return;
    t.type = TokenType::erc721;
    t.from = *from;
    t.to = *to;
    t.token_id = U256::from_bytes(log.topics[3]).decimal();
    out.push_back(std::move(t));
  } else if (topic0 == kTransferSingleTopic && log.topics.size() == 4 && log.data.size() == 64) {
    const auto from = topic_address(log.topics[2]), to = topic_address(log.topics[3]);
    if (!from || !to) return;
    t.type = TokenType::erc1155;
    t.from = *from;
    t.to = *to;
    t.token_id = U256::from_bytes(std::string_view{log.data}.substr(0, 32)).decimal();
    t.amount = U256::from_bytes(std::string_view{log.data}.substr(32, 32)).decimal();
    out.push_back(std::move(t));
  } else if (topic0 == kTransferBatchTopic && log.topics.size() == 4) {
    const auto from = topic_address(log.topics[2]), to = topic_address(log.topics[3]);
    if (!from || !to) return;
    static const std::vector<abi::Type> types{*abi::parse_type("uint256[]"),
                                              *abi::parse_type("uint256[]")};
    const auto decoded = abi::decode(types, log.data);
    if (!decoded.value) return;
    const auto& ids = (*decoded.value)[0].as_array();
    const auto& values = (*decoded.value)[1].as_array();
    if (ids.size() != values.size()) return;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      TokenTransfer item = t;
      item.type = TokenType::erc1155;
      item.batch_index = static_cast<std::uint32_t>(i);
      item.from = *from;
      item.to = *to;
      item.token_id = std::string{ids[i].as_string()};
      item.amount = std::string{values[i].as_string()};
      out.push_back(std::move(item));
    }
  }
}

std::optional<BlockData> parse_block(const json::value& block, const json::value& receipts,
                                     std::string* error) {
  BlockData out;
  Reader r(block, "block", error);
  if (!r.ok()) return std::nullopt;
  out.hash = r.bytes("hash", 32);
  out.parent_hash = r.bytes("parentHash", 32);
  out.miner = r.bytes("miner", 20);
  out.number = r.u64("number");
  out.timestamp = static_cast<std::int64_t>(r.u64("timestamp"));
  out.gas_used = r.decimal("gasUsed");
  out.gas_limit = r.decimal("gasLimit");
  out.base_fee_per_gas = r.optional_decimal("baseFeePerGas");
  out.size = r.optional_u64("size");
  out.logs_bloom = r.bytes("logsBloom", 256);
  const auto* transactions = r.array("transactions");
  if (!r.ok()) return std::nullopt;
  if (out.timestamp < 0 || out.timestamp > 253'402'300'799) {
    r.fail("timestamp", "is out of range");
    return std::nullopt;
  }
  const auto* receipt_list = receipts.if_array();
  if (receipt_list == nullptr || receipt_list->size() != transactions->size()) {
    if (error != nullptr) *error = "the receipts are not one per transaction";
    return std::nullopt;
  }
  out.transactions.reserve(transactions->size());
  for (std::size_t i = 0; i < transactions->size(); ++i) {
    TransactionData tx;
    Reader t((*transactions)[i], "transaction", error);
    if (!t.ok()) return std::nullopt;
    tx.hash = t.bytes("hash", 32);
    tx.index = t.u32("transactionIndex");
    tx.from = t.bytes("from", 20);
    tx.to = t.optional_address("to").value_or(std::string{});
    tx.value = t.decimal("value");
    tx.nonce = t.u64("nonce");
    tx.gas = t.decimal("gas");
    tx.gas_price = t.optional_decimal("gasPrice");
    tx.max_fee_per_gas = t.optional_decimal("maxFeePerGas");
    tx.max_priority_fee_per_gas = t.optional_decimal("maxPriorityFeePerGas");
    tx.type = t.optional_u8("type").value_or(0);
    tx.input = t.data("input");
    if (!t.ok()) return std::nullopt;
    if (tx.index != i) {
      t.fail("transactionIndex", "is out of order");
      return std::nullopt;
    }
    if (t.bytes("blockHash", 32) != out.hash) {
      t.fail("blockHash", "is another block's");
      return std::nullopt;
    }

    Reader rc((*receipt_list)[i], "receipt", error);
    if (!rc.ok()) return std::nullopt;
    if (rc.bytes("transactionHash", 32) != tx.hash) {
      rc.fail("transactionHash", "is not the transaction's at that index");
      return std::nullopt;
    }
    if (rc.bytes("blockHash", 32) != out.hash) {
      rc.fail("blockHash", "is another block's");
      return std::nullopt;
    }
    tx.created_contract = rc.optional_address("contractAddress").value_or(std::string{});
    tx.gas_used = rc.decimal("gasUsed");
    tx.cumulative_gas_used = rc.decimal("cumulativeGasUsed");
    tx.effective_gas_price = rc.optional_decimal("effectiveGasPrice");
    tx.status = rc.optional_u8("status");
    if (const auto* logs = rc.array("logs")) {
      for (const auto& value : *logs) {
        LogData log;
        if (!parse_log(value, out.hash, log, error)) return std::nullopt;
        if (log.transaction_hash != tx.hash) {
          if (error != nullptr) *error = "a receipt holds another transaction's log";
          return std::nullopt;
        }
        out.logs.push_back(std::move(log));
      }
    }
    if (!rc.ok()) return std::nullopt;
    out.transactions.push_back(std::move(tx));
  }
  for (std::size_t i = 1; i < out.logs.size(); ++i) {
    if (out.logs[i].log_index <= out.logs[i - 1].log_index) {
      if (error != nullptr) *error = "the logs' indexes are not increasing";
      return std::nullopt;
    }
  }
  if (logs_bloom(out.logs) != out.logs_bloom) {
    if (error != nullptr)
      *error = "the logs do not match the block's logsBloom (" + std::to_string(out.logs.size()) +
               " log(s) received)";
    return std::nullopt;
  }
  for (const auto& log : out.logs) token_transfers_of(log, out.transfers);
  return out;
}

}  // namespace pend::chain
