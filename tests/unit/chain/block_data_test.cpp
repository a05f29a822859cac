// parse_block on a block and its receipts written by hand the way a node answers
// eth_getBlockByNumber (full transactions) and eth_getBlockReceipts: every field exact, the
// token transfers of ERC-20, ERC-721 and ERC-1155 logs, and each answer that does not make a
// block refused with its reason. The logs bloom is checked against go-ethereum's published
// vectors and against M3:2048 written again here, so an error in its bit or byte order shows.
#include "chain/block_data.hpp"

#include "security/keccak.hpp"
#include "util/hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pend::chain {
namespace {

namespace json = boost::json;

// Anvil's first accounts and the addresses of its first deployments.
constexpr std::string_view kAlice = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
constexpr std::string_view kBob = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
constexpr std::string_view kCarol = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
constexpr std::string_view kToken20 = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
constexpr std::string_view kToken721 = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
constexpr std::string_view kToken1155 = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0";
constexpr std::string_view kCreated = "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9";
constexpr std::string_view kZeroAddress = "0x0000000000000000000000000000000000000000";

constexpr std::string_view kBlockHash =
    "0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6";
constexpr std::string_view kParentHash =
    "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3";
constexpr std::string_view kMiner = "0x05a56e2d52c817161883f50c441c3228cfe54d9f";

constexpr std::string_view kTransfer =
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
constexpr std::string_view kTransferSingle =
    "0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62";
constexpr std::string_view kTransferBatch =
    "0x4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb";

std::string bytes_of(std::string_view hex) {
  const auto bytes = util::from_hex(hex);
  EXPECT_TRUE(bytes) << hex;
  return bytes.value_or("");
}

// A 32-byte word of hex digits (no prefix), the value's digits right-aligned.
std::string word(std::string_view digits) {
  return std::string(64 - digits.size(), '0') + std::string{digits};
}

// An indexed address: 12 zero bytes, then the 20.
std::string topic_of(std::string_view address) {
  return "0x" + std::string(24, '0') + std::string{address.substr(2)};
}

std::string transaction_hash(std::size_t index) {
  return "0x" + security::keccak256_hex("pend test transaction " + std::to_string(index));
}

// The Yellow Paper's M3:2048 again, written apart from the code under test: for each of the
// first three byte pairs of the item's Keccak-256, the low 11 bits pick one of 2048 bits,
// bit 0 being the lowest bit of the last byte of the big-endian 256-byte bloom.
std::string bloom_of(const std::vector<std::string>& items) {
  std::bitset<2048> bits;
  for (const auto& item : items) {
    const auto hash = security::keccak256(item);
    for (std::size_t pair = 0; pair < 3; ++pair) {
      const std::size_t high = hash[2 * pair] & 0x07u, low = hash[2 * pair + 1];
      bits.set(high * 256 + low);
    }
  }
  std::string bloom(256, '\0');
  for (std::size_t bit = 0; bit < 2048; ++bit) {
    if (!bits.test(bit)) continue;
    auto& byte = bloom[bloom.size() - 1 - bit / 8];
    byte = static_cast<char>(static_cast<unsigned char>(byte) | (1u << (bit % 8)));
  }
  return bloom;
}

struct LogSpec {
  std::size_t transaction;
  std::string_view address;
  std::vector<std::string> topics;  // hex
  std::string data;                 // hex
};

// An ERC-20 transfer in the first transaction; an ERC-721 mint, an ERC-1155 TransferSingle
// and a TransferBatch of ids 1 and 2 in the second; the third creates a contract.
const std::vector<LogSpec>& log_specs() {
  static const std::vector<LogSpec> specs{
      {0,
       kToken20,
       {std::string{kTransfer}, topic_of(kAlice), topic_of(kBob)},
       "0x" + word("3635c9adc5dea00000")},  // 1000 tokens of 18 decimals
      {1,
       kToken721,
       {std::string{kTransfer}, topic_of(kZeroAddress), topic_of(kCarol), "0x" + word("2a")},
       "0x"},
      {1,
       kToken1155,
       {std::string{kTransferSingle}, topic_of(kBob), topic_of(kBob), topic_of(kCarol)},
       "0x" + word("7") + word("3")},
      {1,
       kToken1155,
       {std::string{kTransferBatch}, topic_of(kBob), topic_of(kBob), topic_of(kAlice)},
       "0x" + word("40") + word("a0") + word("2") + word("1") + word("2") + word("2") + word("a") +
           word("14")},
  };
  return specs;
}

std::vector<std::string> bloom_items() {
  std::vector<std::string> items;
  for (const auto& spec : log_specs()) {
    items.push_back(bytes_of(spec.address));
    for (const auto& topic : spec.topics) items.push_back(bytes_of(topic));
  }
  return items;
}

std::vector<LogData> log_data() {
  std::vector<LogData> logs;
  for (std::size_t i = 0; i < log_specs().size(); ++i) {
    const auto& spec = log_specs()[i];
    LogData log;
    log.log_index = static_cast<std::uint32_t>(i);
    log.transaction_index = static_cast<std::uint32_t>(spec.transaction);
    log.transaction_hash = bytes_of(transaction_hash(spec.transaction));
    log.address = bytes_of(spec.address);
    for (const auto& topic : spec.topics) log.topics.push_back(bytes_of(topic));
    log.data = bytes_of(spec.data);
    logs.push_back(std::move(log));
  }
  return logs;
}

json::object block_json() {
  json::array transactions{
      json::object{{"hash", transaction_hash(0)},
                   {"transactionIndex", "0x0"},
                   {"blockHash", kBlockHash},
                   {"blockNumber", "0x1b4"},
                   {"from", kAlice},
                   {"to", kToken20},
                   {"value", "0x0"},
                   {"nonce", "0x0"},
                   {"gas", "0x186a0"},
                   {"gasPrice", "0x77359400"},
                   {"maxFeePerGas", "0xb2d05e00"},
                   {"maxPriorityFeePerGas", "0x3b9aca00"},
                   {"type", "0x2"},
                   {"chainId", "0x1"},
                   {"accessList", json::array{}},
                   {"input", "0xa9059cbb" + word(kBob.substr(2)) + word("3635c9adc5dea00000")}},
      json::object{{"hash", transaction_hash(1)},
                   {"transactionIndex", "0x1"},
                   {"blockHash", kBlockHash},
                   {"blockNumber", "0x1b4"},
                   {"from", kBob},
                   {"to", kToken1155},
                   {"value", "0x0"},
                   {"nonce", "0x7"},
                   {"gas", "0x186a0"},
                   {"gasPrice", "0x77359400"},
                   {"maxFeePerGas", "0xb2d05e00"},
                   {"maxPriorityFeePerGas", "0x3b9aca00"},
                   {"type", "0x2"},
                   {"chainId", "0x1"},
                   {"accessList", json::array{}},
                   {"input", "0xdeadbeef"}},
      json::object{{"hash", transaction_hash(2)},
                   {"transactionIndex", "0x2"},
                   {"blockHash", kBlockHash},
                   {"blockNumber", "0x1b4"},
                   {"from", kCarol},
                   {"to", nullptr},
                   {"value", "0x1bc16d674ec800000"},  // 32 ether: past 64 bits
                   {"nonce", "0x2a"},
                   {"gas", "0x30d40"},
                   {"gasPrice", "0x4a817c800"},
                   {"type", "0x0"},
                   {"v", "0x25"},
                   {"input", "0x6080604052"}},
  };
  return json::object{{"hash", kBlockHash},
                      {"parentHash", kParentHash},
                      {"miner", kMiner},
                      {"number", "0x1b4"},
                      {"timestamp", "0x6553f100"},
                      {"gasUsed", "0x55730"},
                      {"gasLimit", "0x1c9c380"},
                      {"baseFeePerGas", "0x3b9aca00"},
                      {"size", "0x4d2"},
                      {"logsBloom", "0x" + util::to_hex(bloom_of(bloom_items()))},
                      {"transactions", std::move(transactions)},
                      {"uncles", json::array{}}};
}

json::array receipts_json() {
  const char* gas_used[] = {"0xc350", "0x186a0", "0x30d40"};
  const char* cumulative[] = {"0xc350", "0x249f0", "0x55730"};
  const char* price[] = {"0x77359400", "0x77359400", "0x4a817c800"};
  json::array receipts;
  for (std::size_t tx = 0; tx < 3; ++tx) {
    json::array logs;
    for (std::size_t i = 0; i < log_specs().size(); ++i) {
      const auto& spec = log_specs()[i];
      if (spec.transaction != tx) continue;
      json::array topics;
      for (const auto& topic : spec.topics) topics.emplace_back(topic);
      logs.push_back(json::object{{"logIndex", to_quantity(i)},
                                  {"transactionIndex", to_quantity(tx)},
                                  {"transactionHash", transaction_hash(tx)},
                                  {"blockHash", kBlockHash},
                                  {"blockNumber", "0x1b4"},
                                  {"address", spec.address},
                                  {"topics", std::move(topics)},
                                  {"data", spec.data},
                                  {"removed", false}});
    }
    json::value contract = nullptr;
    if (tx == 2) contract = kCreated;
    receipts.push_back(json::object{{"transactionHash", transaction_hash(tx)},
                                    {"transactionIndex", to_quantity(tx)},
                                    {"blockHash", kBlockHash},
                                    {"blockNumber", "0x1b4"},
                                    {"contractAddress", contract},
                                    {"gasUsed", gas_used[tx]},
                                    {"cumulativeGasUsed", cumulative[tx]},
                                    {"effectiveGasPrice", price[tx]},
                                    {"status", "0x1"},
                                    {"type", tx == 2 ? "0x0" : "0x2"},
                                    {"logs", std::move(logs)}});
  }
  return receipts;
}

json::object& transaction_at(json::object& block, std::size_t index) {
  return block["transactions"].as_array()[index].as_object();
}

json::array& logs_of(json::array& receipts, std::size_t receipt) {
  return receipts[receipt].as_object()["logs"].as_array();
}

// parse_block's refusal: nullopt and a reason.
std::string refusal(const json::value& block, const json::value& receipts) {
  std::string error;
  const auto parsed = parse_block(block, receipts, &error);
  EXPECT_FALSE(parsed);
  EXPECT_FALSE(error.empty());
  return error;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(LogsBloomTest, TheTopicsAreTheKeccakOfTheEvents) {
  EXPECT_EQ(kTransferTopic, bytes_of(kTransfer));
  EXPECT_EQ(kTransferSingleTopic, bytes_of(kTransferSingle));
  EXPECT_EQ(kTransferBatchTopic, bytes_of(kTransferBatch));
  EXPECT_EQ(
      "0x" + security::keccak256_hex("TransferSingle(address,address,address,uint256,uint256)"),
      kTransferSingle);
  EXPECT_EQ(
      "0x" + security::keccak256_hex("TransferBatch(address,address,address,uint256[],uint256[])"),
      kTransferBatch);
}

// go-ethereum's core/types/bloom9_test.go: the Keccak-256 of the bloom of 100 items.
TEST(LogsBloomTest, MatchesGoEthereumsBloomOfAHundredItems) {
  std::vector<LogData> logs(100);
  std::vector<std::string> items;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    logs[i].address = "xxxxxxxxxx data " + std::to_string(i) + " yyyyyyyyyyyyyy";
    items.push_back(logs[i].address);
  }
  const auto bloom = logs_bloom(logs);
  ASSERT_EQ(bloom.size(), 256u);
  EXPECT_EQ(security::keccak256_hex(bloom),
            "c8d3ca65cdb4874300a9e39475508f23ed6da09fdbc487f89a2dcf50b09eb263");
  EXPECT_EQ(security::keccak256_hex(bloom_of(items)),
            "c8d3ca65cdb4874300a9e39475508f23ed6da09fdbc487f89a2dcf50b09eb263");
}

// The Transfer topic alone sets bit 3 of byte 75, bit 4 of byte 123 and bit 1 of byte 195, as
// go-ethereum's bloom does (a reference vector other implementations pin).
TEST(LogsBloomTest, TheTransferTopicSetsGoEthereumsThreeBits) {
  std::string expected(256, '\0');
  expected[75] = '\x08';
  expected[123] = '\x10';
  expected[195] = '\x02';
  EXPECT_EQ(bloom_of({kTransferTopic}), expected);

  LogData log;
  log.address = bytes_of(kToken20);
  log.topics = {kTransferTopic};
  auto with_address = bloom_of({log.address});
  for (std::size_t i = 0; i < 256; ++i) with_address[i] |= expected[i];
  EXPECT_EQ(logs_bloom({log}), with_address);
  EXPECT_EQ(logs_bloom({}), std::string(256, '\0'));
}

TEST(LogsBloomTest, MatchesM3Of2048ForTheFixturesLogs) {
  const auto bloom = logs_bloom(log_data());
  EXPECT_EQ(util::to_hex(bloom), util::to_hex(bloom_of(bloom_items())));
  // Any one log left out changes it (these items share no bits that would hide one).
  for (std::size_t skip = 0; skip < log_specs().size(); ++skip) {
    auto logs = log_data();
    logs.erase(logs.begin() + static_cast<std::ptrdiff_t>(skip));
    EXPECT_NE(logs_bloom(logs), bloom) << skip;
  }
}

TEST(ParseBlockTest, ReadsEveryFieldExactly) {
  std::string error;
  const auto block = parse_block(block_json(), receipts_json(), &error);
  ASSERT_TRUE(block) << error;
  EXPECT_EQ(block->hash, bytes_of(kBlockHash));
  EXPECT_EQ(block->parent_hash, bytes_of(kParentHash));
  EXPECT_EQ(block->miner, bytes_of(kMiner));
  EXPECT_EQ(block->number, 436u);
  EXPECT_EQ(block->timestamp, 1'700'000'000);
  EXPECT_EQ(block->gas_used, "350000");
  EXPECT_EQ(block->gas_limit, "30000000");
  EXPECT_EQ(block->base_fee_per_gas, "1000000000");
  EXPECT_EQ(block->size, 1234u);
  EXPECT_EQ(block->logs_bloom, bloom_of(bloom_items()));
  ASSERT_EQ(block->transactions.size(), 3u);

  const auto& erc20_call = block->transactions[0];
  EXPECT_EQ(erc20_call.hash, bytes_of(transaction_hash(0)));
  EXPECT_EQ(erc20_call.index, 0u);
  EXPECT_EQ(erc20_call.from, bytes_of(kAlice));
  EXPECT_EQ(erc20_call.to, bytes_of(kToken20));
  EXPECT_EQ(erc20_call.created_contract, "");
  EXPECT_EQ(erc20_call.value, "0");
  EXPECT_EQ(erc20_call.nonce, 0u);
  EXPECT_EQ(erc20_call.gas, "100000");
  EXPECT_EQ(erc20_call.gas_price, "2000000000");
  EXPECT_EQ(erc20_call.max_fee_per_gas, "3000000000");
  EXPECT_EQ(erc20_call.max_priority_fee_per_gas, "1000000000");
  EXPECT_EQ(erc20_call.effective_gas_price, "2000000000");
  EXPECT_EQ(erc20_call.gas_used, "50000");
  EXPECT_EQ(erc20_call.cumulative_gas_used, "50000");
  EXPECT_EQ(erc20_call.type, 2u);
  EXPECT_EQ(erc20_call.status, 1u);
  EXPECT_EQ(erc20_call.input,
            bytes_of("a9059cbb" + word(kBob.substr(2)) + word("3635c9adc5dea00000")));

  EXPECT_EQ(block->transactions[1].index, 1u);
  EXPECT_EQ(block->transactions[1].nonce, 7u);
  EXPECT_EQ(block->transactions[1].input, "\xde\xad\xbe\xef");
  EXPECT_EQ(block->transactions[1].cumulative_gas_used, "150000");

  const auto& creation = block->transactions[2];
  EXPECT_EQ(creation.index, 2u);
  EXPECT_EQ(creation.from, bytes_of(kCarol));
  EXPECT_EQ(creation.to, "");
  EXPECT_EQ(creation.created_contract, bytes_of(kCreated));
  EXPECT_EQ(creation.value, "32000000000000000000");
  EXPECT_EQ(creation.nonce, 42u);
  EXPECT_EQ(creation.gas, "200000");
  EXPECT_EQ(creation.gas_price, "20000000000");
  EXPECT_FALSE(creation.max_fee_per_gas);
  EXPECT_FALSE(creation.max_priority_fee_per_gas);
  EXPECT_EQ(creation.effective_gas_price, "20000000000");
  EXPECT_EQ(creation.gas_used, "200000");
  EXPECT_EQ(creation.cumulative_gas_used, "350000");
  EXPECT_EQ(creation.type, 0u);
  EXPECT_EQ(creation.input, bytes_of("6080604052"));

  ASSERT_EQ(block->logs.size(), 4u);
  const auto expected_logs = log_data();
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& log = block->logs[i];
    EXPECT_EQ(log.log_index, i);
    EXPECT_EQ(log.transaction_index, expected_logs[i].transaction_index) << i;
    EXPECT_EQ(log.transaction_hash, expected_logs[i].transaction_hash) << i;
    EXPECT_EQ(log.address, expected_logs[i].address) << i;
    EXPECT_EQ(log.topics, expected_logs[i].topics) << i;
    EXPECT_EQ(log.data, expected_logs[i].data) << i;
  }
}

TEST(ParseBlockTest, OptionalFieldsMayBeAbsentOrNull) {
  auto block = block_json();
  block.erase("baseFeePerGas");  // before London
  block["size"] = nullptr;
  transaction_at(block, 2).erase("type");
  auto receipts = receipts_json();
  receipts[2].as_object().erase("status");  // before Byzantium
  receipts[2].as_object().erase("effectiveGasPrice");
  std::string error;
  const auto parsed = parse_block(block, receipts, &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_FALSE(parsed->base_fee_per_gas);
  EXPECT_FALSE(parsed->size);
  EXPECT_EQ(parsed->transactions[2].type, 0u);
  EXPECT_FALSE(parsed->transactions[2].status);
  EXPECT_FALSE(parsed->transactions[2].effective_gas_price);
}

TEST(ParseBlockTest, AnEmptyBlockHasAnEmptyBloom) {
  auto block = block_json();
  block["transactions"] = json::array{};
  block["logsBloom"] = "0x" + std::string(512, '0');
  std::string error;
  const auto parsed = parse_block(block, json::array{}, &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_TRUE(parsed->transactions.empty());
  EXPECT_TRUE(parsed->logs.empty());
  EXPECT_TRUE(parsed->transfers.empty());
}

TEST(ParseBlockTest, FindsTheTokenTransfers) {
  std::string error;
  const auto block = parse_block(block_json(), receipts_json(), &error);
  ASSERT_TRUE(block) << error;
  ASSERT_EQ(block->transfers.size(), 5u);

  const auto& erc20 = block->transfers[0];
  EXPECT_EQ(erc20.type, TokenType::erc20);
  EXPECT_STREQ(to_string(erc20.type), "ERC-20");
  EXPECT_EQ(erc20.log_index, 0u);
  EXPECT_EQ(erc20.batch_index, 0u);
  EXPECT_EQ(erc20.transaction_hash, bytes_of(transaction_hash(0)));
  EXPECT_EQ(erc20.token, bytes_of(kToken20));
  EXPECT_EQ(erc20.from, bytes_of(kAlice));
  EXPECT_EQ(erc20.to, bytes_of(kBob));
  EXPECT_EQ(erc20.amount, "1000000000000000000000");
  EXPECT_FALSE(erc20.token_id);

  const auto& mint = block->transfers[1];
  EXPECT_EQ(mint.type, TokenType::erc721);
  EXPECT_STREQ(to_string(mint.type), "ERC-721");
  EXPECT_EQ(mint.log_index, 1u);
  EXPECT_EQ(mint.transaction_hash, bytes_of(transaction_hash(1)));
  EXPECT_EQ(mint.token, bytes_of(kToken721));
  EXPECT_EQ(mint.from, std::string(20, '\0'));
  EXPECT_EQ(mint.to, bytes_of(kCarol));
  EXPECT_EQ(mint.token_id, "42");
  EXPECT_FALSE(mint.amount);

  const auto& single = block->transfers[2];
  EXPECT_EQ(single.type, TokenType::erc1155);
  EXPECT_STREQ(to_string(single.type), "ERC-1155");
  EXPECT_EQ(single.log_index, 2u);
  EXPECT_EQ(single.batch_index, 0u);
  EXPECT_EQ(single.token, bytes_of(kToken1155));
  EXPECT_EQ(single.from, bytes_of(kBob));  // topics[2], not the operator in topics[1]
  EXPECT_EQ(single.to, bytes_of(kCarol));
  EXPECT_EQ(single.token_id, "7");
  EXPECT_EQ(single.amount, "3");

  for (std::uint32_t i = 0; i < 2; ++i) {
    const auto& item = block->transfers[3 + i];
    EXPECT_EQ(item.type, TokenType::erc1155);
    EXPECT_EQ(item.log_index, 3u);
    EXPECT_EQ(item.batch_index, i);
    EXPECT_EQ(item.transaction_hash, bytes_of(transaction_hash(1)));
    EXPECT_EQ(item.token, bytes_of(kToken1155));
    EXPECT_EQ(item.from, bytes_of(kBob));
    EXPECT_EQ(item.to, bytes_of(kAlice));
  }
  EXPECT_EQ(block->transfers[3].token_id, "1");
  EXPECT_EQ(block->transfers[3].amount, "10");
  EXPECT_EQ(block->transfers[4].token_id, "2");
  EXPECT_EQ(block->transfers[4].amount, "20");
}

std::vector<TokenTransfer> transfers_of(const LogData& log) {
  std::vector<TokenTransfer> out;
  token_transfers_of(log, out);
  return out;
}

TEST(TokenTransfersTest, ATopicThatIsNotAnAddressIsNoTransfer) {
  const auto logs = log_data();
  for (const std::size_t topic : {1, 2}) {
    auto log = logs[0];
    log.topics[topic][0] = '\x01';  // a first byte that an address would leave zero
    EXPECT_TRUE(transfers_of(log).empty()) << topic;
    log = logs[0];
    log.topics[topic][11] = '\x01';  // the last of the twelve
    EXPECT_TRUE(transfers_of(log).empty()) << topic;
  }
  auto erc721 = logs[1];
  erc721.topics[2][5] = '\x7f';
  EXPECT_TRUE(transfers_of(erc721).empty());
  auto batch = logs[3];
  batch.topics[3][0] = '\x01';
  EXPECT_TRUE(transfers_of(batch).empty());
  auto single = logs[2];
  single.topics[1][0] = '\x01';  // the operator is not read as an address
  EXPECT_EQ(transfers_of(single).size(), 1u);
  single.topics[2][0] = '\x01';
  EXPECT_TRUE(transfers_of(single).empty());
}

TEST(TokenTransfersTest, TheTransferTopicWithTheWrongShapeIsNoTransfer) {
  const auto logs = log_data();
  const auto& erc20 = logs[0];
  const auto& erc721 = logs[1];
  ASSERT_EQ(transfers_of(erc20).size(), 1u);
  ASSERT_EQ(transfers_of(erc721).size(), 1u);

  auto two_topics = erc20;
  two_topics.topics.pop_back();
  EXPECT_TRUE(transfers_of(two_topics).empty());
  auto short_data = erc20;
  short_data.data.pop_back();
  EXPECT_TRUE(transfers_of(short_data).empty());
  auto long_data = erc20;
  long_data.data += '\0';
  EXPECT_TRUE(transfers_of(long_data).empty());
  auto no_data = erc20;
  no_data.data.clear();
  EXPECT_TRUE(transfers_of(no_data).empty());
  auto erc721_with_data = erc721;
  erc721_with_data.data = std::string(32, '\0');
  EXPECT_TRUE(transfers_of(erc721_with_data).empty());
  auto five_topics = erc721;
  five_topics.topics.push_back(std::string(32, '\0'));
  EXPECT_TRUE(transfers_of(five_topics).empty());
  auto only_topic0 = erc20;
  only_topic0.topics.resize(1);
  EXPECT_TRUE(transfers_of(only_topic0).empty());
  LogData no_topics = erc20;
  no_topics.topics.clear();
  EXPECT_TRUE(transfers_of(no_topics).empty());
  auto other_event = erc20;
  other_event.topics[0][31] ^= 1;
  EXPECT_TRUE(transfers_of(other_event).empty());
}

TEST(TokenTransfersTest, MalformedErc1155LogsAreNoTransfers) {
  const auto logs = log_data();
  auto single = logs[2];
  single.data.pop_back();
  EXPECT_TRUE(transfers_of(single).empty());
  single = logs[2];
  single.topics.pop_back();
  EXPECT_TRUE(transfers_of(single).empty());

  auto batch = logs[3];
  batch.data = bytes_of(word("40") + word("80") + word("1") + word("1") + word("0"));
  EXPECT_TRUE(transfers_of(batch).empty());  // one id, no value
  batch.data = bytes_of(word("40") + word("a0") + word("2") + word("1"));
  EXPECT_TRUE(transfers_of(batch).empty());  // truncated
  batch.data.clear();
  EXPECT_TRUE(transfers_of(batch).empty());
  batch.data = bytes_of(word("40") + word("60") + word("0") + word("0"));
  EXPECT_TRUE(transfers_of(batch).empty());  // a batch of nothing
}

TEST(ParseBlockTest, RefusesAMissingLog) {
  // The node dropped the ERC-1155 TransferSingle; the header still counts it.
  auto receipts = receipts_json();
  auto& logs = logs_of(receipts, 1);
  logs.erase(logs.begin() + 1);
  const auto error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "logsBloom")) << error;
  EXPECT_TRUE(contains(error, "3 log(s)")) << error;
  // An extra log is as wrong as a missing one.
  auto extra = receipts_json();
  auto log = logs_of(extra, 1)[0].as_object();
  log["logIndex"] = "0x4";
  log["transactionIndex"] = "0x2";
  log["transactionHash"] = transaction_hash(2);
  log["address"] = kCreated;
  logs_of(extra, 2).push_back(log);
  EXPECT_TRUE(contains(refusal(block_json(), extra), "logsBloom"));
}

TEST(ParseBlockTest, RefusesReceiptsThatAreNotOnePerTransaction) {
  auto receipts = receipts_json();
  receipts.pop_back();
  EXPECT_TRUE(contains(refusal(block_json(), receipts), "not one per transaction"));
  auto more = receipts_json();
  more.push_back(more[2]);
  EXPECT_TRUE(contains(refusal(block_json(), more), "not one per transaction"));
  EXPECT_TRUE(contains(refusal(block_json(), json::object{}), "not one per transaction"));
  EXPECT_TRUE(contains(refusal(block_json(), nullptr), "not one per transaction"));
}

TEST(ParseBlockTest, RefusesAReceiptOfAnotherTransaction) {
  auto receipts = receipts_json();
  receipts[1].as_object()["transactionHash"] = transaction_hash(9);
  auto error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "receipt.transactionHash")) << error;
  // In the wrong order.
  auto swapped = receipts_json();
  std::swap(swapped[0], swapped[1]);
  error = refusal(block_json(), swapped);
  EXPECT_TRUE(contains(error, "receipt.transactionHash")) << error;
  // A receipt of another block.
  auto other_block = receipts_json();
  other_block[2].as_object()["blockHash"] = kParentHash;
  error = refusal(block_json(), other_block);
  EXPECT_TRUE(contains(error, "receipt.blockHash is another block's")) << error;
  // A receipt holding another transaction's log.
  auto foreign = receipts_json();
  logs_of(foreign, 1)[0].as_object()["transactionHash"] = transaction_hash(0);
  error = refusal(block_json(), foreign);
  EXPECT_TRUE(contains(error, "another transaction's log")) << error;
}

TEST(ParseBlockTest, RefusesARemovedLog) {
  auto receipts = receipts_json();
  logs_of(receipts, 1)[2].as_object()["removed"] = true;
  const auto error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "log.removed")) << error;
}

TEST(ParseBlockTest, RefusesALogOfAnotherBlock) {
  auto receipts = receipts_json();
  logs_of(receipts, 0)[0].as_object()["blockHash"] = kParentHash;
  const auto error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "log.blockHash is another block's")) << error;
}

TEST(ParseBlockTest, RefusesLogIndexesThatDoNotIncrease) {
  auto receipts = receipts_json();
  logs_of(receipts, 1)[1].as_object()["logIndex"] = "0x1";  // 0, 1, 1, 3
  auto error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "indexes are not increasing")) << error;
  auto backwards = receipts_json();
  logs_of(backwards, 1)[0].as_object()["logIndex"] = "0x0";  // 0 again, across receipts
  error = refusal(block_json(), backwards);
  EXPECT_TRUE(contains(error, "indexes are not increasing")) << error;
}

TEST(ParseBlockTest, RefusesAHashOfTheWrongLength) {
  auto block = block_json();
  block["hash"] = kBlockHash.substr(0, 64);  // 31 bytes
  auto error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.hash is not 32 bytes of hex")) << error;
  block = block_json();
  block["parentHash"] = std::string{kParentHash} + "00";
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.parentHash is not 32 bytes of hex")) << error;
  block = block_json();
  transaction_at(block, 1)["hash"] = std::string{kBlockHash.substr(0, 65)};  // odd
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "transaction.hash is not 32 bytes of hex")) << error;
  block = block_json();
  transaction_at(block, 0)["from"] = kBlockHash;
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "transaction.from is not 20 bytes of hex")) << error;
  block = block_json();
  block["logsBloom"] = "0x" + std::string(510, '0');
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.logsBloom is not 256 bytes of hex")) << error;
  auto receipts = receipts_json();
  logs_of(receipts, 1)[1].as_object()["topics"].as_array()[1] = kAlice;  // 20 bytes
  error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "log.topics holds a value that is not 32 bytes")) << error;
  receipts = receipts_json();
  logs_of(receipts, 0)[0].as_object()["address"] = topic_of(kToken20);
  error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "log.address is not 20 bytes of hex")) << error;
}

TEST(ParseBlockTest, RefusesAQuantityThatIsNotHex) {
  auto block = block_json();
  block["gasUsed"] = "0x5573g";
  auto error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.gasUsed is not a quantity")) << error;
  block = block_json();
  block["number"] = "436";  // decimal, no prefix
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.number is not a 64-bit quantity")) << error;
  block = block_json();
  block["number"] = 436;  // a JSON number
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.number is not a string")) << error;
  block = block_json();
  transaction_at(block, 2)["value"] = "0x";
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "transaction.value is not a quantity")) << error;
  block = block_json();
  transaction_at(block, 1)["nonce"] = "0x10000000000000000";  // past 64 bits
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "transaction.nonce is not a 64-bit quantity")) << error;
  auto receipts = receipts_json();
  receipts[0].as_object()["gasUsed"] = "0x-1";
  error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "receipt.gasUsed is not a quantity")) << error;
  receipts = receipts_json();
  logs_of(receipts, 1)[0].as_object()["data"] = "0x123";
  error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "log.data is not hex data")) << error;
}

TEST(ParseBlockTest, RefusesATimestampPastTheYear9999) {
  auto block = block_json();
  block["timestamp"] = "0x3afff4417f";  // 9999-12-31T23:59:59Z: the last one accepted
  std::string error;
  const auto parsed = parse_block(block, receipts_json(), &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->timestamp, 253'402'300'799);
  block["timestamp"] = "0x3afff44180";
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.timestamp is out of range")) << error;
  block["timestamp"] = "0xffffffffffffffff";  // negative as an int64
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "block.timestamp is out of range")) << error;
}

TEST(ParseBlockTest, RefusesTransactionsOutOfOrder) {
  auto block = block_json();
  transaction_at(block, 1)["transactionIndex"] = "0x2";
  auto error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "transaction.transactionIndex is out of order")) << error;
  block = block_json();
  transaction_at(block, 0)["blockHash"] = kParentHash;
  error = refusal(block, receipts_json());
  EXPECT_TRUE(contains(error, "transaction.blockHash is another block's")) << error;
}

TEST(ParseBlockTest, RefusesWhatIsNotABlock) {
  EXPECT_TRUE(contains(refusal(json::array{}, receipts_json()), "block is not an object"));
  auto hashes_only = block_json();  // eth_getBlockByNumber without full transactions
  hashes_only["transactions"] =
      json::array{transaction_hash(0), transaction_hash(1), transaction_hash(2)};
  auto error = refusal(hashes_only, receipts_json());
  EXPECT_TRUE(contains(error, "transaction is not an object")) << error;
  auto no_transactions = block_json();
  no_transactions.erase("transactions");
  error = refusal(no_transactions, receipts_json());
  EXPECT_TRUE(contains(error, "block.transactions is not an array")) << error;
  auto no_miner = block_json();
  no_miner.erase("miner");
  error = refusal(no_miner, receipts_json());
  EXPECT_TRUE(contains(error, "block.miner is missing")) << error;
  auto receipts = receipts_json();
  receipts[1] = "0x1";
  error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "receipt is not an object")) << error;
  receipts = receipts_json();
  receipts[0].as_object().erase("logs");
  error = refusal(block_json(), receipts);
  EXPECT_TRUE(contains(error, "receipt.logs is not an array")) << error;
  receipts = receipts_json();
  logs_of(receipts, 1)[0].as_object()["topics"].as_array().emplace_back(topic_of(kAlice));
  error = refusal(block_json(), receipts);  // five topics
  EXPECT_TRUE(contains(error, "log.topics has more than 4 entries")) << error;
  // Parsing without an error string still refuses.
  EXPECT_FALSE(parse_block(block_json(), json::array{}, nullptr));
}

// A log that is not an object is refused, not thrown (the fuzz target found it).
TEST(ParseBlockTest, RefusesALogThatIsNotAnObject) {
  auto receipts = receipts_json();
  logs_of(receipts, 1)[0] = 1;
  std::string error;
  EXPECT_NO_THROW(EXPECT_FALSE(parse_block(block_json(), receipts, &error)));
  EXPECT_TRUE(contains(error, "log is not an object")) << error;
}

// Indexes past 32 bits, and a type or status past 8, are refused rather than cut.
TEST(ParseBlockTest, RefusesAnIndexPast32Bits) {
  auto block = block_json();
  transaction_at(block, 0)["transactionIndex"] = "0x100000000";
  EXPECT_FALSE(parse_block(block, receipts_json(), nullptr));
  block = block_json();
  transaction_at(block, 0)["type"] = "0x102";
  EXPECT_FALSE(parse_block(block, receipts_json(), nullptr));
}

}  // namespace
}  // namespace pend::chain
