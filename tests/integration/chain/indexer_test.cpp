// The indexer against a real anvil (a node of each test's own) and PostgreSQL: every stored
// block, transaction, log and token transfer equals the node's own answer; reorgs at depth
// 1, 3 and past the finality depth, at the head and while behind, leave nothing replaced as
// consensus; a range indexed again changes nothing; failover to a second node.
#include "chain/indexer.hpp"
#include "cache/blocking_redis.hpp"
#include "chain/contracts.hpp"
#include "chain/events.hpp"
#include "chain/new_heads.hpp"
#include "chain/quantity.hpp"
#include "db/blocking_session.hpp"
#include "external/http_client.hpp"
#include "logging/logger.hpp"
#include "metrics/prometheus_writer.hpp"
#include "support/anvil.hpp"
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/http_recorder.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace pend::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string raw(const std::string& address) {
  return chain::data_bytes(lower(address), 20).value();
}

std::string dec(const json::value& quantity) {
  return chain::quantity_decimal(quantity.as_string()).value();
}

class IndexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!database_.available() || !TempAnvil::available())
      GTEST_SKIP() << "scripts/test provides PostgreSQL; scripts/install-deps installs anvil";
    anvil_ = std::make_unique<TempAnvil>();
    driver_ = std::make_unique<ChainDriver>(anvil_->url());
    session_ = std::make_unique<db::BlockingSession>(database_.url());
  }

  chain::IndexerOptions options(std::vector<std::string> urls = {}) {
    chain::IndexerOptions o;
    o.rpc.urls = urls.empty() ? std::vector<std::string>{anvil_->url()} : urls;
    o.rpc.timeout = 5s;
    o.rpc.attempts = 3;
    o.rpc.backoff = 10ms;
    o.batch_size = 3;  // several batches, several in flight, even on a short chain
    o.batches_in_flight = 3;
    o.finality_depth = 4;
    o.run_length = 0ms;  // a run goes to the head and returns
    return o;
  }

  workers::RunReport run(chain::Indexer& indexer) {
    db::BlockingSession session(database_.url());
    std::atomic<bool> stopping{false};
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + 120s, stopping);
    return indexer.run(ctx);
  }

  // The business entries body logged, as "EVENT_TYPE user_id", in order.
  std::vector<std::string> business_entries(const std::function<void()>& body) {
    char path[] = "/tmp/pend-chain-log-XXXXXX";
    const int fd = ::mkstemp(path);
    EXPECT_GE(fd, 0);
    {
      logging::LoggerOptions log_options;
      log_options.fd = fd;
      auto logger = std::make_unique<logging::Logger>(std::move(log_options));
      logging::set_global(logger.get());
      try {
        body();
      } catch (...) {
        logging::set_global(nullptr);
        throw;
      }
      logger->flush();
      logging::set_global(nullptr);
    }
    std::ifstream file(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(file, line);) {
      boost::system::error_code ec;
      const auto entry = json::parse(line, ec);
      if (ec || !entry.is_object() || entry.as_object().if_contains("category") == nullptr ||
          entry.at("category") != "BUSINESS")
        continue;
      out.push_back(std::string{entry.at("event_type").as_string()} + " " +
                    std::string{entry.at("user_id").as_string()});
    }
    ::close(fd);
    ::unlink(path);
    return out;
  }

  workers::RunReport process(chain::ChainEvents& events) {
    db::BlockingSession session(database_.url());
    std::atomic<bool> stopping{false};
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + 60s, stopping);
    return events.run(ctx);
  }

  std::string value(const std::string& sql, const std::vector<std::string>& params = {}) {
    const auto rows = session_->exec(sql, params);
    return rows.size() > 0 ? rows.value(0, 0) : std::string{"<no row>"};
  }

  // Token traffic of every kind between the dev accounts; returns {token, nft, multi, odd}.
  std::vector<std::string> make_traffic() {
    const auto& a = ChainDriver::accounts();
    const auto token = driver_->deploy("TestToken");
    const auto nft = driver_->deploy("TestNft");
    const auto multi = driver_->deploy("TestMulti");
    const auto odd = driver_->deploy("OddToken");
    driver_->send(a[0], token, ChainDriver::call_data("transfer(address,uint256)", {a[1], "1000"}));
    driver_->send(
        a[0], token,
        ChainDriver::call_data("batchTransfer(address[],uint256[])",
                               {json::array{a[1], a[2], a[3]}, json::array{"1", "2", "3"}}));
    driver_->send(a[0], odd, ChainDriver::call_data("transfer(address,uint256)", {a[2], "500"}));
    driver_->send(a[0], nft, ChainDriver::call_data("mint(address,uint256)", {a[0], "42"}));
    driver_->send(
        a[0], nft,
        ChainDriver::call_data("transferFrom(address,address,uint256)", {a[0], a[1], "42"}));
    driver_->send(a[0], multi,
                  ChainDriver::call_data("mint(address,uint256,uint256)", {a[0], "1", "100"}));
    driver_->send(a[0], multi,
                  ChainDriver::call_data("mintBatch(address,uint256[],uint256[])",
                                         {a[0], json::array{"2", "3"}, json::array{"20", "30"}}));
    driver_->send(a[0], multi,
                  ChainDriver::call_data(
                      "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
                      {a[0], a[1], json::array{"1", "2", "3"}, json::array{"10", "5", "3"}, "0x"}));
    driver_->send(a[1], a[2], "0x", "1000000000000000000");  // a plain coin transfer
    return {token, nft, multi, odd};
  }

  // Every consensus block, transaction and log in the database equals the node's answer, and
  // there is one consensus block per height up to the node's head.
  void expect_same_as_node() {
    const auto head = driver_->head();
    EXPECT_EQ(value("SELECT count(*) FROM blocks WHERE consensus"), std::to_string(head + 1));
    EXPECT_EQ(value("SELECT max(number) FROM blocks WHERE consensus"), std::to_string(head));
    std::size_t transactions = 0, logs = 0;
    for (std::uint64_t n = 0; n <= head; ++n) {
      SCOPED_TRACE("block " + std::to_string(n));
      const auto block = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), true});
      const auto receipts = driver_->rpc("eth_getBlockReceipts", {chain::to_quantity(n)});
      const auto& b = block.as_object();
      const auto rows = session_->exec(
          "SELECT '0x' || encode(hash, 'hex'), '0x' || encode(parent_hash, 'hex'), "
          "'0x' || encode(miner, 'hex'), gas_used::text, gas_limit::text, "
          "coalesce(base_fee_per_gas::text, ''), transaction_count, "
          "extract(epoch FROM timestamp)::bigint, size FROM blocks WHERE number = $1 AND consensus",
          {std::to_string(n)});
      ASSERT_EQ(rows.size(), 1);
      EXPECT_EQ(rows.value(0, 0), b.at("hash").as_string());
      EXPECT_EQ(rows.value(0, 1), b.at("parentHash").as_string());
      EXPECT_EQ(rows.value(0, 2), b.at("miner").as_string());
      EXPECT_EQ(rows.value(0, 3), dec(b.at("gasUsed")));
      EXPECT_EQ(rows.value(0, 4), dec(b.at("gasLimit")));
      EXPECT_EQ(rows.value(0, 5), dec(b.at("baseFeePerGas")));
      EXPECT_EQ(rows.value(0, 6), std::to_string(b.at("transactions").as_array().size()));
      EXPECT_EQ(rows.value(0, 7), dec(b.at("timestamp")));
      EXPECT_EQ(rows.value(0, 8), dec(b.at("size")));
      const auto txs = session_->exec(
          "SELECT '0x' || encode(hash, 'hex'), index, '0x' || encode(from_address, 'hex'), "
          "coalesce('0x' || encode(to_address, 'hex'), ''), "
          "coalesce('0x' || encode(created_contract_address, 'hex'), ''), value::text, nonce, "
          "gas::text, '0x' || encode(input, 'hex'), status, gas_used::text, "
          "coalesce(effective_gas_price::text, ''), type, block_number, "
          "coalesce('0x' || encode(method_id, 'hex'), '') "
          "FROM transactions WHERE block_hash = decode($1, 'hex') AND block_consensus ORDER BY "
          "index",
          {std::string{b.at("hash").as_string()}.substr(2)});
      const auto& node_txs = b.at("transactions").as_array();
      ASSERT_EQ(txs.size(), static_cast<int>(node_txs.size()));
      for (std::size_t i = 0; i < node_txs.size(); ++i) {
        const auto& t = node_txs[i].as_object();
        const auto& r = receipts.as_array()[i].as_object();
        const int row = static_cast<int>(i);
        EXPECT_EQ(txs.value(row, 0), t.at("hash").as_string());
        EXPECT_EQ(txs.value(row, 1), std::to_string(i));
        EXPECT_EQ(txs.value(row, 2), t.at("from").as_string());
        EXPECT_EQ(txs.value(row, 3),
                  t.at("to").is_null() ? "" : std::string{t.at("to").as_string()});
        EXPECT_EQ(txs.value(row, 4), r.at("contractAddress").is_null()
                                         ? ""
                                         : std::string{r.at("contractAddress").as_string()});
        EXPECT_EQ(txs.value(row, 5), dec(t.at("value")));
        EXPECT_EQ(txs.value(row, 6), dec(t.at("nonce")));
        EXPECT_EQ(txs.value(row, 7), dec(t.at("gas")));
        EXPECT_EQ(txs.value(row, 8), t.at("input").as_string());
        EXPECT_EQ(txs.value(row, 9), dec(r.at("status")));
        EXPECT_EQ(txs.value(row, 10), dec(r.at("gasUsed")));
        EXPECT_EQ(txs.value(row, 11), dec(r.at("effectiveGasPrice")));
        EXPECT_EQ(txs.value(row, 12), dec(t.at("type")));
        EXPECT_EQ(txs.value(row, 13), std::to_string(n));
        const std::string input{t.at("input").as_string()};
        EXPECT_EQ(txs.value(row, 14), input.size() >= 10 ? input.substr(0, 10) : "");
        ++transactions;
      }
      const auto stored_logs = session_->exec(
          "SELECT log_index, '0x' || encode(address, 'hex'), '0x' || encode(transaction_hash, "
          "'hex'), concat_ws(',', '0x' || encode(topic0, 'hex'), '0x' || encode(topic1, 'hex'), "
          "'0x' || encode(topic2, 'hex'), '0x' || encode(topic3, 'hex')), "
          "'0x' || encode(data, 'hex') FROM logs WHERE block_hash = decode($1, 'hex') AND "
          "block_consensus ORDER BY log_index",
          {std::string{b.at("hash").as_string()}.substr(2)});
      int row = 0;
      for (const auto& receipt : receipts.as_array()) {
        for (const auto& log : receipt.as_object().at("logs").as_array()) {
          const auto& l = log.as_object();
          ASSERT_LT(row, stored_logs.size());
          EXPECT_EQ(stored_logs.value(row, 0), dec(l.at("logIndex")));
          EXPECT_EQ(stored_logs.value(row, 1), l.at("address").as_string());
          EXPECT_EQ(stored_logs.value(row, 2), l.at("transactionHash").as_string());
          std::string topics;
          for (const auto& topic : l.at("topics").as_array())
            topics += (topics.empty() ? "" : ",") + std::string{topic.as_string()};
          EXPECT_EQ(stored_logs.value(row, 3), topics);
          EXPECT_EQ(stored_logs.value(row, 4), l.at("data").as_string());
          ++row;
          ++logs;
        }
      }
      EXPECT_EQ(row, stored_logs.size());
    }
    EXPECT_EQ(value("SELECT count(*) FROM transactions WHERE block_consensus"),
              std::to_string(transactions));
    EXPECT_EQ(value("SELECT count(*) FROM logs WHERE block_consensus"), std::to_string(logs));
    // Nothing of a replaced block is consensus.
    EXPECT_EQ(value("SELECT count(*) FROM transactions t JOIN blocks b ON b.hash = t.block_hash "
                    "WHERE t.block_consensus <> b.consensus"),
              "0");
    EXPECT_EQ(value("SELECT count(*) FROM logs t JOIN blocks b ON b.hash = t.block_hash "
                    "WHERE t.block_consensus <> b.consensus"),
              "0");
    EXPECT_EQ(value("SELECT count(*) FROM token_transfers t JOIN blocks b ON b.hash = "
                    "t.block_hash WHERE t.block_consensus <> b.consensus"),
              "0");
  }

  ScratchDatabase database_;
  std::unique_ptr<TempAnvil> anvil_;
  std::unique_ptr<ChainDriver> driver_;
  std::unique_ptr<db::BlockingSession> session_;
};

TEST_F(IndexerTest, StoresEveryBlockTransactionLogAndTransferAsTheNodeAnswers) {
  const auto contracts = make_traffic();
  driver_->mine(4);  // some empty blocks too
  TempRedis redis;
  auto o = options();
  o.redis = config::parse_redis_url(redis.url());
  chain::Indexer indexer(std::move(o));
  const auto report = run(indexer);
  const auto head = driver_->head();
  EXPECT_EQ(report.at("blocks").as_int64(), static_cast<std::int64_t>(head + 1));
  expect_same_as_node();
  // /metrics, and the head in the plan's blockchain cache entry.
  metrics::PrometheusWriter out;
  indexer.collect(out);
  EXPECT_NE(out.text().find("pend_chain_indexed_block " + std::to_string(head) + "\n"),
            std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("pend_chain_lag_blocks 0\n"), std::string::npos) << out.text();
  cache::BlockingRedis client(*config::parse_redis_url(redis.url()), 2s);
  // As CacheService keeps it: a hash of data, block_number and cached_at.
  const auto cached = client.command({"HMGET", "blockchain:head:latest", "data", "block_number"});
  ASSERT_EQ(cached.elements.size(), 2u);
  EXPECT_EQ(cached.elements[0].text, "{\"number\":" + std::to_string(head) + "}");
  EXPECT_EQ(cached.elements[1].text, std::to_string(head));
  const auto ttl = client.command({"TTL", "blockchain:head:latest"}).integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 30);
  EXPECT_EQ(value("SELECT next_block FROM chain_sync"), std::to_string(driver_->head() + 1));
  EXPECT_EQ(value("SELECT chain_id FROM chain_sync"), "31337");

  // The transfers, each as the contracts emitted them.
  EXPECT_EQ(value("SELECT string_agg(token_type || ':' || n, ' ' ORDER BY token_type) FROM "
                  "(SELECT token_type, count(*) n FROM token_transfers WHERE block_consensus "
                  "GROUP BY token_type) t"),
            "ERC-1155:6 ERC-20:7 ERC-721:2");
  const auto& a = ChainDriver::accounts();
  EXPECT_EQ(value("SELECT string_agg(amount::text, ',' ORDER BY log_index) FROM token_transfers "
                  "WHERE token_address = decode($1, 'hex') AND to_address = decode($2, 'hex')",
                  {lower(contracts[0]).substr(2), lower(a[1]).substr(2)}),
            "1000,1");
  EXPECT_EQ(value("SELECT string_agg(token_id || '=' || amount, ',' ORDER BY batch_index) FROM "
                  "token_transfers WHERE token_address = decode($1, 'hex') AND "
                  "to_address = decode($2, 'hex')",
                  {lower(contracts[2]).substr(2), lower(a[1]).substr(2)}),
            "1=10,2=5,3=3");
  EXPECT_EQ(value("SELECT token_id::text FROM token_transfers WHERE token_type = 'ERC-721' AND "
                  "to_address = decode($1, 'hex')",
                  {lower(a[1]).substr(2)}),
            "42");
  EXPECT_EQ(value("SELECT string_agg(type, ',' ORDER BY type) FROM tokens"),
            "ERC-1155,ERC-20,ERC-20,ERC-721");

  // Indexing the same range again changes nothing.
  const auto before = value(
      "SELECT (SELECT count(*) FROM blocks) || '/' || (SELECT count(*) FROM transactions) || '/' "
      "|| (SELECT count(*) FROM logs) || '/' || (SELECT count(*) FROM token_transfers)");
  session_->exec("UPDATE chain_sync SET next_block = 2");
  run(indexer);
  EXPECT_EQ(value("SELECT (SELECT count(*) FROM blocks) || '/' || (SELECT count(*) FROM "
                  "transactions) || '/' || (SELECT count(*) FROM logs) || '/' || (SELECT "
                  "count(*) FROM token_transfers)"),
            before);
  expect_same_as_node();
}

// A node without eth_getBlockReceipts (a stand-in in front of anvil that refuses the method,
// as many nodes do): the receipts are asked for one transaction at a time instead.
TEST_F(IndexerTest, ReadsReceiptsOneByOneFromANodeWithoutBlockReceipts) {
  make_traffic();
  std::atomic<int> refused{0}, per_transaction{0};
  HttpRecorder node([&](const RecordedRequest& request,
                        std::size_t) -> std::pair<unsigned, std::string> {
    auto calls = json::parse(request.body());
    json::array forward, out;
    const auto one = !calls.is_array();
    if (one) calls = json::array{calls};
    for (const auto& call : calls.as_array()) {
      if (call.at("method") == "eth_getBlockReceipts") {
        ++refused;
        out.push_back({{"jsonrpc", "2.0"},
                       {"id", call.at("id")},
                       {"error", {{"code", -32601}, {"message", "the method does not exist"}}}});
      } else {
        if (call.at("method") == "eth_getTransactionReceipt") ++per_transaction;
        forward.push_back(call);
      }
    }
    if (!forward.empty()) {
      const auto answer = external::HttpClient{}.send({.method = "POST",
                                                       .url = anvil_->url(),
                                                       .body = json::serialize(forward),
                                                       .content_type = "application/json"},
                                                      5s);
      auto replies = json::parse(answer.body);
      for (auto& reply : replies.as_array()) out.push_back(reply);
    }
    return {200, one ? json::serialize(out.at(0)) : json::serialize(out)};
  });
  chain::Indexer indexer(options({node.url()}));
  run(indexer);
  expect_same_as_node();
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(value("SELECT count(*) FROM transactions"), std::to_string(per_transaction.load()));
}

TEST_F(IndexerTest, TrackedTokensQueueEventsThatRefreshBalancesAndTellTheRecipient) {
  const auto contracts = make_traffic();
  const auto& a = ChainDriver::accounts();
  auto o = options();
  o.tracked_tokens[raw(contracts[0])] = chain::TokenType::erc20;
  o.tracked_tokens[raw(contracts[1])] = chain::TokenType::erc721;
  o.tracked_tokens[raw(contracts[2])] = chain::TokenType::erc1155;
  chain::Indexer indexer(std::move(o));
  run(indexer);
  // Token: the mint and 4 transfers; NFT: 2; multi: TransferSingle and 2 TransferBatch.
  EXPECT_EQ(value("SELECT string_agg(event_type || ':' || n, ' ' ORDER BY event_type) FROM "
                  "(SELECT event_type, count(*) n FROM blockchain_events GROUP BY event_type) e"),
            "Transfer:7 TransferBatch:2 TransferSingle:1");
  EXPECT_EQ(value("SELECT decoded_data::text FROM blockchain_events WHERE event_type = "
                  "'Transfer' AND decoded_data->>'value' = '1000'"),
            "{\"to\": \"" + a[1] + "\", \"from\": \"" + a[0] + "\", \"value\": \"1000\"}");

  // A registered user at a[1]; the worker's business entries go to a file.
  session_->exec("INSERT INTO users (phone_hash, blockchain_address) VALUES (repeat('c', 64), $1)",
                 {a[1]});
  const auto user_id = value("SELECT id FROM users");
  char log_path[] = "/tmp/pend-chain-events-XXXXXX";
  const int fd = ::mkstemp(log_path);
  ASSERT_GE(fd, 0);
  {
    logging::LoggerOptions log_options;
    log_options.fd = fd;
    auto logger = std::make_unique<logging::Logger>(std::move(log_options));
    logging::set_global(logger.get());
    chain::ChainEvents events({.rpc = {.urls = {anvil_->url()}, .timeout = 5s}});
    db::BlockingSession session(database_.url());
    std::atomic<bool> stopping{false};
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + 60s, stopping);
    const auto report = events.run(ctx);
    EXPECT_EQ(report.at("processed").as_int64(), 10);
    EXPECT_EQ(report.at("tokens_described").as_int64(), 4);
    logger->flush();
    logging::set_global(nullptr);
  }
  std::ifstream file(log_path);
  std::stringstream log;
  log << file.rdbuf();
  ::close(fd);
  ::unlink(log_path);
  std::size_t received = 0;
  std::string line;
  while (std::getline(log, line)) {
    if (line.find("TRANSFER_RECEIVED") == std::string::npos) continue;
    ++received;
    EXPECT_NE(line.find("\"user_id\":\"" + user_id + "\""), std::string::npos) << line;
  }
  // a[1] received 1000 and 1 PTT, NFT 42, and the batch of three ids.
  EXPECT_EQ(received, 4u);
  EXPECT_EQ(value("SELECT count(*) FROM blockchain_events WHERE processed AND processed_at IS "
                  "NOT NULL"),
            "10");
  // Balances read from the node after the events.
  EXPECT_EQ(value("SELECT value::text FROM address_token_balances WHERE address = decode($1, "
                  "'hex') AND token_address = decode($2, 'hex')",
                  {lower(a[1]).substr(2), lower(contracts[0]).substr(2)}),
            "1001");
  EXPECT_EQ(value("SELECT string_agg(token_id || '=' || value, ',' ORDER BY token_id) FROM "
                  "address_token_balances WHERE address = decode($1, 'hex') AND "
                  "token_address = decode($2, 'hex')",
                  {lower(a[1]).substr(2), lower(contracts[2]).substr(2)}),
            "1=10,2=5,3=3");
  const auto coin = dec(driver_->rpc("eth_getBalance", {a[1], "latest"}));
  EXPECT_EQ(value("SELECT value::text FROM address_coin_balances WHERE address = decode($1, "
                  "'hex') ORDER BY block_number DESC LIMIT 1",
                  {lower(a[1]).substr(2)}),
            coin);
  // Metadata, including the token that answers bytes32 and has no decimals().
  EXPECT_EQ(value("SELECT name || '|' || symbol || '|' || decimals || '|' || total_supply FROM "
                  "tokens WHERE contract_address = decode($1, 'hex')",
                  {lower(contracts[0]).substr(2)}),
            "Pend Test Token|PTT|18|1000000000000000000000000");
  EXPECT_EQ(value("SELECT name || '|' || symbol || '|' || coalesce(decimals::text, 'none') || '|' "
                  "|| metadata_error FROM tokens WHERE contract_address = decode($1, 'hex')",
                  {lower(contracts[3]).substr(2)}),
            "Odd Token|ODD|none|not answered: decimals()");
  EXPECT_EQ(value("SELECT name || '|' || symbol FROM tokens WHERE contract_address = "
                  "decode($1, 'hex')",
                  {lower(contracts[1]).substr(2)}),
            "Pend Test NFT|PNFT");
  // The other read methods the API needs.
  chain::RpcClient rpc(
      std::make_shared<chain::RpcNodes>(chain::RpcOptions{.urls = {anvil_->url()}}));
  chain::ContractReader reader(rpc);
  EXPECT_EQ(reader.owner_of(raw(contracts[1]), "42"), std::optional<std::string>{a[1]});
  EXPECT_EQ(reader.token_uri(raw(contracts[1]), chain::TokenType::erc721, "42"),
            std::optional<std::string>{"https://pend.test/nft/42"});
  EXPECT_EQ(reader.token_uri(raw(contracts[2]), chain::TokenType::erc1155, "1"),
            std::optional<std::string>{"https://pend.test/multi/{id}.json"});
  EXPECT_EQ(reader.owner_of(raw(contracts[1]), "99999"), std::nullopt);  // reverts
  EXPECT_EQ(reader.balance_of(raw(contracts[2]), raw(a[1]), std::string{"2"}),
            std::optional<std::string>{"5"});
}

TEST_F(IndexerTest, EventsThatCannotBeProcessedRetryLaterThenDie) {
  const auto& a = ChainDriver::accounts();
  const auto token = driver_->deploy("TestToken");
  driver_->send(a[0], token, ChainDriver::call_data("transfer(address,uint256)", {a[2], "9"}));
  auto o = options();
  o.tracked_tokens[raw(token)] = chain::TokenType::erc20;
  chain::Indexer indexer(std::move(o));
  run(indexer);
  ASSERT_EQ(value("SELECT count(*) FROM blockchain_events"), "2");
  anvil_->stop();  // the node is gone: nothing can be read again
  chain::ChainEvents events(
      {.rpc = {.urls = {anvil_->url()}, .timeout = 500ms, .attempts = 1}, .max_attempts = 2});
  const auto process = [&] {
    db::BlockingSession session(database_.url());
    std::atomic<bool> stopping{false};
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + 60s, stopping);
    return events.run(ctx);
  };
  EXPECT_THROW(process(), chain::RpcError);  // its first call to the node fails the run
  session_->exec("UPDATE tokens SET metadata_fetched_at = now()");  // not what is tested here
  anvil_->start();  // a fresh chain: the events' token is not there, balanceOf answers nothing
  const auto report = process();
  EXPECT_EQ(report.at("failed").as_int64(), 2);
  EXPECT_EQ(value("SELECT string_agg(processing_attempts || '/' || dead || '/' || "
                  "(next_attempt_at > now()) || '/' || last_processing_error, ',') FROM "
                  "blockchain_events"),
            "1/false/true/balanceOf reverted,1/false/true/balanceOf reverted");
  EXPECT_EQ(process().at("processed").as_int64(), 0);  // not before their time
  session_->exec("UPDATE blockchain_events SET next_attempt_at = now() - interval '1 second'");
  const auto last = process();
  EXPECT_EQ(last.at("dead").as_int64(), 2);
  EXPECT_EQ(value("SELECT count(*) FROM blockchain_events WHERE dead AND processing_attempts = 2"),
            "2");
  session_->exec("UPDATE blockchain_events SET next_attempt_at = now() - interval '1 second'");
  EXPECT_EQ(process().at("processed").as_int64(), 0);  // dead events stay dead
}

TEST_F(IndexerTest, ReorgsAtTheHeadAndWhileBehindLeaveOnlyTheNodesBranch) {
  const auto& a = ChainDriver::accounts();
  const auto contracts = make_traffic();
  chain::Indexer indexer(options());
  run(indexer);
  expect_same_as_node();

  // Depth 1 at the head.
  const auto head = driver_->head();
  const auto replaced =
      value("SELECT encode(hash, 'hex') FROM blocks WHERE number = $1", {std::to_string(head)});
  driver_->reorg(1);
  run(indexer);
  expect_same_as_node();
  EXPECT_EQ(value("SELECT consensus FROM blocks WHERE hash = decode($1, 'hex')", {replaced}), "f");
  EXPECT_EQ(value("SELECT reorgs || '/' || deepest_reorg FROM chain_sync"), "1/1");

  // Depth 3 over blocks with transfers in them: their rows stay, replaced.
  for (int i = 0; i < 3; ++i)
    driver_->send(a[0], contracts[0],
                  ChainDriver::call_data("transfer(address,uint256)", {a[4], "7"}));
  run(indexer);
  EXPECT_EQ(value("SELECT count(*) FROM token_transfers WHERE block_consensus AND to_address = "
                  "decode($1, 'hex')",
                  {lower(a[4]).substr(2)}),
            "3");
  driver_->reorg(3);
  run(indexer);
  expect_same_as_node();
  EXPECT_EQ(value("SELECT count(*) FROM token_transfers WHERE block_consensus AND to_address = "
                  "decode($1, 'hex')",
                  {lower(a[4]).substr(2)}),
            "0");
  EXPECT_EQ(value("SELECT count(*) FROM token_transfers WHERE NOT block_consensus AND "
                  "to_address = decode($1, 'hex')",
                  {lower(a[4]).substr(2)}),
            "3");
  EXPECT_EQ(value("SELECT count(*) FROM blocks WHERE NOT consensus"), "4");

  // While behind: a reorg and then 10 more blocks before the indexer looks again.
  driver_->reorg(2);
  driver_->mine(10);
  run(indexer);
  expect_same_as_node();
  EXPECT_EQ(value("SELECT reorgs || '/' || deepest_reorg FROM chain_sync"), "3/3");
  // The deepest of the last ten minutes, for the alerting worker.
  EXPECT_EQ(value("SELECT value::int FROM system_metrics WHERE metric_name = "
                  "'chain_reorg_depth' ORDER BY timestamp DESC, id DESC LIMIT 1"),
            "3");

  // Past the finality depth (4): the alerting worker's row is over its critical level.
  driver_->reorg(6);
  run(indexer);
  expect_same_as_node();
  EXPECT_EQ(value("SELECT value::int || '/' || threshold_warning::int || '/' || "
                  "threshold_critical::int FROM system_metrics WHERE metric_name = "
                  "'chain_reorg_depth' ORDER BY timestamp DESC, id DESC LIMIT 1"),
            "6/3/5");
  EXPECT_EQ(indexer.figures().reorgs.load(), 4u);
  EXPECT_EQ(indexer.figures().deepest_reorg.load(), 6u);
}

TEST_F(IndexerTest, ReplacedEventsAreVoidedAndTheRecipientToldOnce) {
  const auto& a = ChainDriver::accounts();
  const auto token = driver_->deploy("TestToken");
  session_->exec("INSERT INTO users (phone_hash, blockchain_address) VALUES (repeat('d', 64), $1)",
                 {a[3]});
  const auto user = value("SELECT id FROM users");
  auto o = options();
  o.tracked_tokens[raw(token)] = chain::TokenType::erc20;
  chain::Indexer indexer(std::move(o));
  chain::ChainEvents events({.rpc = {.urls = {anvil_->url()}, .timeout = 5s}});
  driver_->send(a[0], token, ChainDriver::call_data("approve(address,uint256)", {a[3], "8"}));
  driver_->send(a[0], token, ChainDriver::call_data("transfer(address,uint256)", {a[3], "5"}));
  run(indexer);
  // The Approval names a[3] as well, but only a transfer is news to its owner.
  EXPECT_EQ(business_entries([&] { EXPECT_EQ(process(events).at("processed").as_int64(), 3); }),
            std::vector<std::string>{"TRANSFER_RECEIVED " + user});
  EXPECT_EQ(value("SELECT value::text FROM address_token_balances WHERE address = decode($1, "
                  "'hex')",
                  {lower(a[3]).substr(2)}),
            "5");

  driver_->reorg(2);  // the approval's and the transfer's blocks, replaced by empty ones
  run(indexer);
  EXPECT_EQ(value("SELECT string_agg(event_type || ':' || voided || '/' || processed, ',' ORDER BY "
                  "block_number) FROM blockchain_events WHERE block_number > 1"),
            "Approval:true/false,Transfer:true/false");
  EXPECT_EQ(value("SELECT count(*) FROM blockchain_events WHERE NOT voided"), "1");  // the mint
  // Processing the voided events reads the balances again (the transfer is undone) and tells
  // the recipient, once.
  EXPECT_EQ(business_entries([&] { EXPECT_EQ(process(events).at("processed").as_int64(), 2); }),
            std::vector<std::string>{"TRANSFER_VOIDED " + user});
  EXPECT_EQ(value("SELECT value::text FROM address_token_balances WHERE address = decode($1, "
                  "'hex')",
                  {lower(a[3]).substr(2)}),
            "0");
  EXPECT_EQ(value("SELECT last_report FROM blockchain_events WHERE event_type = 'Transfer' AND "
                  "voided"),
            "TRANSFER_VOIDED");
  // Nothing more to tell.
  EXPECT_TRUE(business_entries([&] { process(events); }).empty());
}

// Tokens marked tracked in the table (not in chain.tracked_tokens) are decoded from the next
// run on; the index refuses a node on another chain than the one it holds.
TEST_F(IndexerTest, DecodesTokensMarkedInTheTableAndRefusesAnotherChain) {
  const auto& a = ChainDriver::accounts();
  const auto token = driver_->deploy("TestToken");
  chain::Indexer indexer(options());
  run(indexer);
  EXPECT_EQ(value("SELECT count(*) FROM blockchain_events"), "0");
  session_->exec("UPDATE tokens SET tracked = true");
  driver_->send(a[0], token, ChainDriver::call_data("transfer(address,uint256)", {a[1], "12"}));
  run(indexer);
  EXPECT_EQ(value("SELECT event_type || ' ' || (decoded_data->>'value') FROM blockchain_events"),
            "Transfer 12");

  session_->exec("UPDATE chain_sync SET chain_id = 1");
  try {
    run(indexer);
    FAIL() << "ran against another chain";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "the node is on chain 31337, but the index holds chain 1");
  }
}

// A catch-up longer than a run is spread over several runs, each ending in time.
TEST_F(IndexerTest, ALongCatchUpGoesOnFromRunToRun) {
  // Several times what a run can import in 200 ms, even unsanitized; mined a thousand at a
  // time (one anvil_mine of thousands can outlast the driver's timeout on a busy machine).
  for (int i = 0; i < 4; ++i) driver_->mine(1000);
  auto o = options();
  o.batch_size = 20;
  o.run_length = 200ms;
  chain::Indexer indexer(std::move(o));
  std::int64_t first = -1, runs = 0;
  while (value("SELECT next_block FROM chain_sync") != "4001" && runs < 300) {
    const auto report = run(indexer);
    if (first < 0) first = report.at("blocks").as_int64();
    ++runs;
  }
  EXPECT_GT(first, 0);
  EXPECT_LT(first, 4001) << "one run did it all: nothing was spread";
  EXPECT_GT(runs, 1);
  EXPECT_EQ(value("SELECT count(*) || '/' || max(number) FROM blocks WHERE consensus"),
            "4001/4000");
}

// A node stopped and restarted (anvil keeps its chain in a state file), and failover to a
// second node with the same chain when the first goes away.
TEST_F(IndexerTest, WaitsOutANodeRestartAndFailsOverToTheNextNode) {
  char dir[] = "/tmp/pend-anvil-state-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string state = std::string{dir} + "/state.json";
  // A fixed genesis time: anvil makes its genesis block afresh at each start.
  TempAnvil first({"--state", state, "--timestamp", "1700000000"});
  driver_ = std::make_unique<ChainDriver>(first.url());
  make_traffic();

  auto o = options({first.url()});
  o.rpc.timeout = 1s;
  o.rpc.attempts = 2;
  chain::Indexer alone(std::move(o));
  run(alone);
  expect_same_as_node();
  first.stop();  // its chain goes to the state file
  EXPECT_THROW(run(alone), chain::RpcError);
  first.start();  // and comes back from it
  driver_->mine(2);
  run(alone);
  expect_same_as_node();

  first.stop();
  first.start();
  TempAnvil second({"--load-state", state, "--timestamp", "1700000000"});
  ChainDriver second_driver(second.url());
  ASSERT_EQ(second_driver.head(), driver_->head());
  ASSERT_EQ(second_driver.rpc("eth_getBlockByNumber", {"latest", false}).at("hash"),
            driver_->rpc("eth_getBlockByNumber", {"latest", false}).at("hash"));
  auto two = options({first.url(), second.url()});
  two.rpc.timeout = 1s;
  two.rpc.cool_down = 60s;
  chain::Indexer indexer(std::move(two));
  run(indexer);
  EXPECT_DOUBLE_EQ(indexer.nodes().score(0), 1.0);
  first.stop();  // the first node goes away; the chain goes on on the second
  second_driver.mine(5);
  driver_ = std::make_unique<ChainDriver>(second.url());
  run(indexer);
  expect_same_as_node();
  EXPECT_LE(indexer.nodes().score(0), 0.5);  // unhealthy: not above a half
  EXPECT_EQ(value("SELECT next_block FROM chain_sync"), std::to_string(second_driver.head() + 1));
  std::filesystem::remove_all(dir);
}

// `pend-server worker indexer` killed (SIGKILL) twice while catching up: each restart resumes
// from its last committed batch and the end result has no duplicate or partial block.
TEST_F(IndexerTest, ResumesAfterSigkillWithNoDuplicateOrPartialBlock) {
  make_traffic();
  driver_->mine(1500);
  make_traffic();
  const auto head = driver_->head();
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  const std::vector<std::string> environment{
      "DATABASE_URL=" + database_.url(),
      "PEND_CHAIN_RPC_URLS=" + anvil_->url(),
      "PEND_CHAIN_BATCH_SIZE=10",
      "PEND_CHAIN_BATCHES_IN_FLIGHT=2",
      "PEND_DATABASE_MAINTAIN_PARTITIONS=false",
      "LOG_DIR=" + base + "/pend-indexer-" + std::to_string(::getpid())};
  const auto next_block = [&] {
    const auto text = value("SELECT next_block FROM chain_sync");
    return text == "<no row>" ? 0ull : std::stoull(text);
  };
  const auto wait_until = [&](std::uint64_t height) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (next_block() < height && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return next_block() >= height;
  };
  for (const std::uint64_t at : {200ull, 700ull}) {
    auto child = spawn({"worker", "indexer", "--no-dotenv"}, environment);
    ASSERT_TRUE(wait_until(at)) << child->output();
    ::kill(child->pid, SIGKILL);
    EXPECT_EQ(child->wait_exit_code(), 128 + SIGKILL);
    EXPECT_LT(next_block(), head + 1) << "killed too late to be a catch-up";
  }
  auto child = spawn({"worker", "indexer", "--no-dotenv"}, environment);
  ASSERT_TRUE(wait_until(head + 1)) << child->output();
  ::kill(child->pid, SIGTERM);
  EXPECT_EQ(child->wait_exit_code(), 0) << child->output();
  expect_same_as_node();
  EXPECT_EQ(value("SELECT count(*) FROM blocks"), std::to_string(head + 1));
  EXPECT_EQ(value("SELECT count(*) FROM (SELECT b.hash FROM blocks b LEFT JOIN transactions t "
                  "ON t.block_hash = b.hash GROUP BY b.hash, b.transaction_count "
                  "HAVING count(t.hash) <> b.transaction_count) partial"),
            "0");
}

TEST_F(IndexerTest, NewHeadsAnnouncesEachMinedBlock) {
  chain::NewHeads heads(anvil_->ws_url(), 5s);
  EXPECT_EQ(heads.wait(10ms), std::nullopt);
  driver_->mine(1);
  EXPECT_EQ(heads.wait(5s), std::optional<std::uint64_t>{1});
  driver_->mine(1);
  EXPECT_EQ(heads.wait(5s), std::optional<std::uint64_t>{2});
  driver_->mine(3);
  std::optional<std::uint64_t> highest;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (highest != 5u && std::chrono::steady_clock::now() < deadline) highest = heads.wait(1s);
  EXPECT_EQ(highest, std::optional<std::uint64_t>{5});
  EXPECT_EQ(heads.received(), 5u);
}

TEST_F(IndexerTest, FollowsNewHeadsOverWebSocketAndSurvivesAReorgThere) {
  auto o = options();
  o.ws_url = anvil_->ws_url();
  o.run_length = 60s;
  o.poll_interval = 60s;  // only a WebSocket announcement can wake it in time
  chain::Indexer indexer(std::move(o));
  db::BlockingSession session(database_.url());
  std::atomic<bool> stopping{false};
  std::thread worker([&] {
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + 120s, stopping);
    indexer.run(ctx);
  });
  const auto wait_for_tip = [&](std::uint64_t height, const std::string& hash) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (value("SELECT '0x' || encode(hash, 'hex') FROM blocks WHERE consensus AND number = $1",
                {std::to_string(height)}) == hash)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  const auto tip = [&] {
    return std::string{
        driver_->rpc("eth_getBlockByNumber", {"latest", false}).at("hash").as_string()};
  };
  driver_->mine(3);
  EXPECT_TRUE(wait_for_tip(3, tip()));
  driver_->mine(1);
  EXPECT_TRUE(wait_for_tip(4, tip()));
  driver_->reorg(2);
  driver_->mine(1);  // the announcement that wakes the indexer
  EXPECT_TRUE(wait_for_tip(5, tip()));
  stopping = true;
  worker.join();
  expect_same_as_node();
}

}  // namespace
}  // namespace pend::test
