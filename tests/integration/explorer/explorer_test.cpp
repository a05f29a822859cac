// The explorer API over a chain a real anvil made and the real indexer stored: every block and
// transaction answer equal, field by field, to the node's own; pages that walk a whole list
// with no gap or repeat while new blocks arrive; after a reorg the replaced blocks out of the
// lists but found by hash with consensus false; 404 for what is not there and 400 naming the
// parameter that is malformed.
#include "cache/blocking_redis.hpp"
#include "cache/session_store.hpp"
#include "chain/events.hpp"
#include "chain/indexer.hpp"
#include "chain/quantity.hpp"
#include "db/blocking_session.hpp"
#include "security/digest.hpp"
#include "security/evm_address.hpp"
#include "support/anvil.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/sse_client.hpp"
#include "support/test_server.hpp"
#include "util/enum_name.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

namespace pend::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string dec(const json::value& quantity) {
  return chain::quantity_decimal(quantity.as_string()).value();
}
std::int64_t num(const json::value& quantity) {
  return static_cast<std::int64_t>(chain::quantity_u64(quantity.as_string()).value());
}
std::string checksum(const json::value& address) {
  if (address.is_null()) return "null";
  return security::parse_address(address.as_string())->checksummed();
}
std::string iso(const json::value& seconds) {
  return util::format_rfc3339(util::Microseconds{std::chrono::seconds{num(seconds)}},
                              util::TimePrecision::seconds);
}
std::string text(const json::value& v) {
  return v.is_string() ? std::string{v.as_string()} : json::serialize(v);
}

class ExplorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!database_.available() || !TempAnvil::available())
      GTEST_SKIP() << "scripts/test provides PostgreSQL; scripts/install-deps installs anvil";
    anvil_ = std::make_unique<TempAnvil>();
    driver_ = std::make_unique<ChainDriver>(anvil_->url());
    auto settings = test_settings();
    settings.database.url = database_.url();
    settings.chain.rpc_urls = {anvil_->url()};  // the balances and the proxy read it
    configure(settings);
    server_ = std::make_unique<TestServer>(settings, nullptr, clock_);
  }
  virtual void configure(config::Settings&) {}

  // tracked: token contracts (EIP-55) whose events the chain-events worker acts on.
  void index(const std::vector<std::string>& tracked = {}) {
    std::map<std::string, chain::TokenType> tokens;
    for (const auto& token : tracked)
      tokens[chain::data_bytes(security::parse_address(token)->lower(), 20).value()] =
          chain::TokenType::erc20;
    index_once(anvil_->url(), database_.url(), std::move(tokens), redis_url_);
  }

  // The chain-events worker's run: token metadata and the balances of what moved.
  void process_events() {
    chain::ChainEvents events({.rpc = {.urls = {anvil_->url()}, .timeout = 5s}});
    db::BlockingSession session(database_.url());
    std::atomic<bool> stopping{false};
    for (int i = 0; i < 2; ++i) {
      workers::RunContext ctx(session, std::chrono::steady_clock::now() + 60s, stopping);
      events.run(ctx);
    }
  }

  std::string balance_of(const std::string& token, const std::string& holder) {
    const auto out = driver_->rpc(
        "eth_call", {json::object{{"to", token},
                                  {"data", ChainDriver::call_data("balanceOf(address)", {holder})}},
                     "latest"});
    return chain::U256::from_hex(std::string{out.as_string()}.substr(2))->decimal();
  }

  // Coin transfers, a token deployed and moved (logs, token transfers), a failed call.
  std::string traffic() {
    const auto& a = ChainDriver::accounts();
    const auto token = driver_->deploy("TestToken");
    driver_->send(a[0], token, ChainDriver::call_data("transfer(address,uint256)", {a[1], "1000"}));
    driver_->send(
        a[0], token,
        ChainDriver::call_data("batchTransfer(address[],uint256[])",
                               {json::array{a[1], a[2], a[3]}, json::array{"1", "2", "3"}}));
    driver_->send(a[1], a[2], "0x", "1000000000000000000");
    driver_->send(a[2], a[3], "0x", "12345");
    driver_->mine(3);
    return token;
  }

  HttpResponse get(const std::string& target) {
    return request(server_->port(), "GET", target, {}, {});
  }
  json::object get_json(const std::string& target) {
    const auto r = get(target);
    EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
    return r.json().as_object();
  }

  // Every item of a list, page after page of `limit`, running `between` after each page.
  std::vector<json::object> walk(const std::string& path, int limit,
                                 const std::function<void()>& between = {}) {
    std::vector<json::object> out;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      std::string target = path + (path.find('?') == std::string::npos ? "?" : "&") +
                           "limit=" + std::to_string(limit);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      const auto body = get_json(target);
      for (const auto& item : body.at("items").as_array()) out.push_back(item.as_object());
      if (between) between();
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string{body.at("next_cursor").as_string()};
    }
    return out;
  }

  // A user with this wallet (phone hash c repeated) and a session for them: its token. The
  // session is stored where the server reads sessions (settings.redis.url).
  std::string signed_in(const std::string& address, char c) {
    db::BlockingSession session(database_.url());
    const auto id =
        session
            .exec("INSERT INTO users (phone_hash, blockchain_address) VALUES ($1, $2) RETURNING id",
                  {std::string(64, c), address})
            .value(0, 0);
    RedisOnLoop redis{redis_url_.empty() ? env("PEND_TEST_REDIS_URL") : redis_url_};
    cache::SessionStore sessions(redis.redis, config::SessionSettings{});
    return run_until_done(redis.loop,
                          sessions.create(http::Principal::Kind::user, id, "198.51.100.4", "app/1"))
        .token;
  }

  void expect_block_as_node(const json::object& got, const json::object& node) {
    const auto where = "block " + text(node.at("number"));
    EXPECT_EQ(got.at("number").as_int64(), num(node.at("number"))) << where;
    EXPECT_EQ(got.at("hash"), node.at("hash")) << where;
    EXPECT_EQ(got.at("parent_hash"), node.at("parentHash")) << where;
    EXPECT_EQ(text(got.at("timestamp")), iso(node.at("timestamp"))) << where;
    EXPECT_EQ(text(got.at("miner")), checksum(node.at("miner"))) << where;
    EXPECT_EQ(text(got.at("gas_used")), dec(node.at("gasUsed"))) << where;
    EXPECT_EQ(text(got.at("gas_limit")), dec(node.at("gasLimit"))) << where;
    EXPECT_EQ(text(got.at("base_fee_per_gas")), dec(node.at("baseFeePerGas"))) << where;
    EXPECT_EQ(got.at("transaction_count").as_int64(),
              static_cast<std::int64_t>(node.at("transactions").as_array().size()))
        << where;
    EXPECT_EQ(got.at("size").as_int64(), num(node.at("size"))) << where;
    EXPECT_EQ(got.at("consensus"), true) << where;
  }

  void expect_transaction_as_node(const json::object& got, const std::string& hash) {
    const auto tx = driver_->rpc("eth_getTransactionByHash", {hash}).as_object();
    const auto receipt = driver_->rpc("eth_getTransactionReceipt", {hash}).as_object();
    const auto where = "transaction " + hash;
    EXPECT_EQ(got.at("hash"), tx.at("hash")) << where;
    EXPECT_EQ(got.at("block_number").as_int64(), num(tx.at("blockNumber"))) << where;
    EXPECT_EQ(got.at("block_hash"), tx.at("blockHash")) << where;
    EXPECT_EQ(got.at("index").as_int64(), num(tx.at("transactionIndex"))) << where;
    EXPECT_EQ(text(got.at("from")), checksum(tx.at("from"))) << where;
    EXPECT_EQ(text(got.at("to")), checksum(tx.at("to"))) << where;
    EXPECT_EQ(text(got.at("created_contract_address")), checksum(receipt.at("contractAddress")))
        << where;
    EXPECT_EQ(text(got.at("value")), dec(tx.at("value"))) << where;
    EXPECT_EQ(got.at("nonce").as_int64(), num(tx.at("nonce"))) << where;
    EXPECT_EQ(text(got.at("gas")), dec(tx.at("gas"))) << where;
    EXPECT_EQ(text(got.at("gas_used")), dec(receipt.at("gasUsed"))) << where;
    EXPECT_EQ(text(got.at("cumulative_gas_used")), dec(receipt.at("cumulativeGasUsed"))) << where;
    EXPECT_EQ(text(got.at("effective_gas_price")), dec(receipt.at("effectiveGasPrice"))) << where;
    const auto fee = chain::U256::from_decimal(dec(receipt.at("effectiveGasPrice")));
    const auto used = chain::quantity_u64(receipt.at("gasUsed").as_string()).value();
    EXPECT_EQ(text(got.at("fee")), std::to_string(fee->limbs[0] * used)) << where;  // small here
    EXPECT_EQ(got.at("type").as_int64(), num(tx.at("type"))) << where;
    EXPECT_EQ(got.at("status"), num(receipt.at("status")) == 1 ? "success" : "failed") << where;
    const std::string input{tx.at("input").as_string()};
    EXPECT_EQ(text(got.at("input")), input) << where;
    EXPECT_EQ(text(got.at("method_id")), input.size() >= 10 ? input.substr(0, 10) : "null")
        << where;
    EXPECT_EQ(got.at("consensus"), true) << where;
  }

  // An active admin of the role with a live session: its token.
  std::string admin_token(security::Role role, const std::string& name) {
    const auto id = database_.value(
        "INSERT INTO admin_users (email, display_name, password_hash, role) VALUES ('" + name +
        "@example.com', '" + name + "', 'x', '" + std::string{util::enum_name(role)} +
        "') RETURNING id");
    RedisOnLoop redis{redis_url_.empty() ? env("PEND_TEST_REDIS_URL") : redis_url_};
    cache::SessionStore sessions(redis.redis, config::SessionSettings{});
    return run_until_done(redis.loop,
                          sessions.create(http::Principal::Kind::admin, id, "198.51.100.4", "p/1"))
        .token;
  }
  HttpResponse admin_call(std::string_view method, const std::string& target,
                          const std::string& token, const std::string& body = {}) {
    return request(server_->port(), method, target,
                   {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                   body);
  }

  ScratchDatabase database_;
  const util::Clock* clock_ = nullptr;  // the server's clock, when configure() gives one
  std::string redis_url_;               // where index() publishes live events (none: nowhere)
  std::unique_ptr<TempAnvil> anvil_;
  std::unique_ptr<ChainDriver> driver_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(ExplorerTest, BlocksAndTransactionsAreTheNodesFieldByField) {
  traffic();
  index();
  const auto head = driver_->head();
  for (std::uint64_t n = 0; n <= head; ++n) {
    const auto node = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), false});
    const auto by_number = get_json("/api/v1/explorer/blocks/" + std::to_string(n));
    expect_block_as_node(by_number, node.as_object());
    EXPECT_EQ(get_json("/api/v1/explorer/blocks/" + text(node.at("hash"))), by_number);
    // Its transactions, in order, each as the node has it.
    const auto txs = walk("/api/v1/explorer/blocks/" + std::to_string(n) + "/transactions", 2);
    const auto& node_txs = node.at("transactions").as_array();
    ASSERT_EQ(txs.size(), node_txs.size()) << n;
    for (std::size_t i = 0; i < txs.size(); ++i) {
      EXPECT_EQ(txs[i].at("hash"), node_txs[i]) << n;
      expect_transaction_as_node(txs[i], std::string{node_txs[i].as_string()});
    }
  }
  // A transaction's own page: the same fields, its logs and token transfers as the receipt's.
  const auto latest = get_json("/api/v1/explorer/transactions?limit=100");
  std::size_t with_logs = 0;
  for (const auto& item : latest.at("items").as_array()) {
    const std::string hash{item.at("hash").as_string()};
    const auto got = get_json("/api/v1/explorer/transactions/" + hash);
    expect_transaction_as_node(got, hash);
    const auto receipt = driver_->rpc("eth_getTransactionReceipt", {hash}).as_object();
    const auto& logs = receipt.at("logs").as_array();
    const auto& got_logs = got.at("logs").as_array();
    ASSERT_EQ(got_logs.size(), logs.size()) << hash;
    for (std::size_t i = 0; i < logs.size(); ++i) {
      const auto& l = logs[i].as_object();
      EXPECT_EQ(got_logs[i].at("log_index").as_int64(), num(l.at("logIndex")));
      EXPECT_EQ(text(got_logs[i].at("address")), checksum(l.at("address")));
      EXPECT_EQ(got_logs[i].at("topics"), l.at("topics"));
      EXPECT_EQ(got_logs[i].at("data"), l.at("data"));
    }
    // ERC-20 transfers: one per Transfer log.
    EXPECT_EQ(got.at("token_transfers").as_array().size(), logs.size()) << hash;
    with_logs += logs.empty() ? 0 : 1;
    EXPECT_EQ(json::value(walk("/api/v1/explorer/transactions/" + hash + "/logs", 1).size()),
              json::value(logs.size()));
  }
  EXPECT_EQ(with_logs, 3u);  // the deployment (its mint), the transfer and the batch transfer
  const auto stats = get_json("/api/v1/explorer/stats");
  EXPECT_EQ(stats.at("head_block").as_int64(), static_cast<std::int64_t>(head));
  EXPECT_EQ(stats.at("indexed_block").as_int64(), static_cast<std::int64_t>(head));
  EXPECT_EQ(stats.at("lag_blocks").as_int64(), 0);
  EXPECT_EQ(stats.at("status"), "synced");
  EXPECT_EQ(stats.at("chain_id").as_int64(), 31337);
  EXPECT_EQ(stats.at("transactions_total").as_int64(),
            static_cast<std::int64_t>(latest.at("items").as_array().size()));
}

TEST_F(ExplorerTest, PagesWalkTheWholeChainWithNoGapOrRepeatWhileBlocksArrive) {
  traffic();
  index();
  const auto head = driver_->head();
  // Two new blocks after every page: the walk still goes from where it was to the genesis.
  const auto blocks = walk("/api/v1/explorer/blocks", 3, [&] {
    driver_->send(ChainDriver::accounts()[3], ChainDriver::accounts()[4], "0x", "1");
    driver_->mine(1);
    index();
  });
  ASSERT_EQ(blocks.size(), head + 1);
  for (std::size_t i = 0; i < blocks.size(); ++i)
    EXPECT_EQ(blocks[i].at("number").as_int64(), static_cast<std::int64_t>(head - i));
  // Transactions, newest first: every consensus one the node has, once.
  const auto now = driver_->head();
  std::vector<std::string> expected;
  for (std::uint64_t n = now + 1; n-- > 0;) {
    const auto node = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), false});
    const auto& txs = node.at("transactions").as_array();
    for (std::size_t i = txs.size(); i-- > 0;) expected.emplace_back(txs[i].as_string());
  }
  std::vector<std::string> listed;
  for (const auto& t : walk("/api/v1/explorer/transactions", 2))
    listed.emplace_back(t.at("hash").as_string());
  EXPECT_EQ(listed, expected);
}

TEST_F(ExplorerTest, ReplacedBlocksLeaveTheListsButAreFoundByHash) {
  traffic();
  index();
  const auto head = driver_->head();
  std::vector<std::string> replaced;
  for (std::uint64_t n = head - 1; n <= head; ++n)
    replaced.emplace_back(
        get_json("/api/v1/explorer/blocks/" + std::to_string(n)).at("hash").as_string());
  driver_->reorg(2);
  index();
  std::set<std::string> listed;
  for (const auto& b : walk("/api/v1/explorer/blocks", 5))
    listed.insert(std::string{b.at("hash").as_string()});
  for (const auto& hash : replaced) {
    EXPECT_FALSE(listed.contains(hash)) << hash;
    const auto block = get_json("/api/v1/explorer/blocks/" + hash);
    EXPECT_EQ(block.at("consensus"), false);
  }
  std::set<std::string> reorged;
  for (const auto& b : walk("/api/v1/explorer/blocks?type=reorg", 1))
    reorged.insert(std::string{b.at("hash").as_string()});
  EXPECT_EQ(reorged, std::set<std::string>(replaced.begin(), replaced.end()));
  // The node's blocks at those heights are the consensus ones now.
  for (std::uint64_t n = head - 1; n <= head; ++n) {
    const auto node = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), false});
    expect_block_as_node(get_json("/api/v1/explorer/blocks/" + std::to_string(n)),
                         node.as_object());
  }
}

TEST_F(ExplorerTest, AddressesTokensAndSearchAnswerAsTheNodeDoes) {
  const auto token = checksum(json::value(traffic()));
  index({token});
  process_events();
  const auto& a = ChainDriver::accounts();
  const auto head = driver_->head();
  // The node's own view of a[1]: its transactions (newest first) and when it was active.
  std::vector<std::string> mine;
  std::int64_t first = -1, last = -1;
  for (std::uint64_t n = head + 1; n-- > 0;) {
    const auto block = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), true});
    const auto& txs = block.at("transactions").as_array();
    for (std::size_t i = txs.size(); i-- > 0;) {
      const auto& t = txs[i].as_object();
      if (checksum(t.at("from")) == a[1] || checksum(t.at("to")) == a[1]) {
        mine.emplace_back(t.at("hash").as_string());
        last = last < 0 ? num(block.at("timestamp")) : last;
        first = num(block.at("timestamp"));
      }
    }
  }
  const auto address = get_json("/api/v1/explorer/addresses/" + a[1]);
  EXPECT_EQ(text(address.at("address")), a[1]);
  EXPECT_EQ(address.at("is_contract"), false);
  EXPECT_EQ(address.at("transactions").as_int64(), static_cast<std::int64_t>(mine.size()));
  EXPECT_EQ(address.at("token_transfers").as_int64(), 2);  // the transfer and one of the batch
  const auto& balance = address.at("coin_balance").as_object();
  const auto at = balance.at("block_number").as_int64();
  EXPECT_EQ(text(balance.at("value")),
            dec(driver_->rpc("eth_getBalance", {a[1], chain::to_quantity(at)})));
  // first_seen / last_seen span its transactions and its transfers (the token's first move
  // to it came before its own first transaction).
  EXPECT_LE(text(address.at("first_seen")), iso(json::value(chain::to_quantity(first))));
  EXPECT_EQ(text(address.at("last_seen")), iso(json::value(chain::to_quantity(last))));
  std::vector<std::string> listed;
  for (const auto& t : walk("/api/v1/explorer/addresses/" + a[1] + "/transactions", 1))
    listed.emplace_back(t.at("hash").as_string());
  EXPECT_EQ(listed, mine);
  const auto transfers = walk("/api/v1/explorer/addresses/" + a[1] + "/token-transfers", 1);
  ASSERT_EQ(transfers.size(), 2u);
  EXPECT_EQ(transfers[0].at("amount"), "1");     // the batch, later
  EXPECT_EQ(transfers[1].at("amount"), "1000");  // the single transfer
  EXPECT_EQ(text(transfers[1].at("to")), a[1]);
  // Holdings and holders: the chain-events worker's balances, as balanceOf answers.
  const auto holdings = walk("/api/v1/explorer/addresses/" + a[1] + "/tokens", 5);
  ASSERT_EQ(holdings.size(), 1u);
  EXPECT_EQ(text(holdings[0].at("token")), token);
  EXPECT_EQ(holdings[0].at("symbol"), "PTT");
  EXPECT_EQ(text(holdings[0].at("value")), balance_of(token, a[1]));
  const auto detail = get_json("/api/v1/explorer/tokens/" + token);
  EXPECT_EQ(detail.at("type"), "ERC-20");
  EXPECT_EQ(detail.at("name"), "Pend Test Token");
  EXPECT_EQ(detail.at("tracked"), true);
  EXPECT_EQ(detail.at("holders").as_int64(), 4);    // a[0] to a[3]
  EXPECT_EQ(detail.at("transfers").as_int64(), 5);  // the mint, one, a batch of three
  EXPECT_EQ(walk("/api/v1/explorer/tokens/" + token + "/transfers", 2).size(), 5u);
  const auto holders = walk("/api/v1/explorer/tokens/" + token + "/holders", 1);
  ASSERT_EQ(holders.size(), 4u);
  for (std::size_t i = 0; i < holders.size(); ++i) {
    EXPECT_EQ(text(holders[i].at("value")),
              balance_of(token, std::string{holders[i].at("address").as_string()}));
    if (i > 0) {  // largest first (decimal strings: shorter is smaller)
      const auto before = text(holders[i - 1].at("value")), now = text(holders[i].at("value"));
      EXPECT_TRUE(now.size() < before.size() || (now.size() == before.size() && now <= before))
          << before << " then " << now;
    }
  }
  const auto tokens = walk("/api/v1/explorer/tokens", 1);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(text(tokens[0].at("address")), token);
  // The contract's own page says so.
  EXPECT_EQ(get_json("/api/v1/explorer/addresses/" + token).at("is_contract"), true);

  // Search: each kind of text to its typed result.
  const auto search = [&](const std::string& q) {
    return get_json("/api/v1/explorer/search?q=" + q).at("items").as_array();
  };
  auto found = search("3");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("type"), "block");
  EXPECT_EQ(found[0].at("block").at("number").as_int64(), 3);
  const std::string block_hash{found[0].at("block").at("hash").as_string()};
  found = search(block_hash);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("type"), "block");
  found = search(mine.front());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("type"), "transaction");
  EXPECT_EQ(text(found[0].at("transaction").at("hash")), mine.front());
  found = search(security::parse_address(a[2])->lower());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(text(found[0].at("address")), a[2]);
  found = search(security::parse_address(token)->lower());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].at("type"), "token");
  for (const auto* q : {"pt", "PT", "Pend%20T"}) {
    found = search(q);
    ASSERT_EQ(found.size(), 1u) << q;
    EXPECT_EQ(found[0].at("token").at("symbol"), "PTT") << q;
  }
  EXPECT_TRUE(search("p_t").empty());  // LIKE's characters are literal
  EXPECT_TRUE(search("zzz").empty());
}

TEST_F(ExplorerTest, EtherscanActionsHaveItsEnvelopeFieldsAndTheNodesFigures) {
  const auto token = checksum(json::value(traffic()));
  const auto& a = ChainDriver::accounts();
  // In both the from and the to scans.
  const auto to_itself = driver_->send(a[4], a[4], "0x", "5").at("transactionHash");
  driver_->mine(1);
  index({token});
  process_events();
  const auto lower = [](const std::string& address) {
    return security::parse_address(address)->lower();
  };
  const auto api = [&](const std::string& query) {
    const auto r = get("/api?" + query);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    return r;
  };
  // The envelope, its keys in Etherscan's order.
  auto r = api("module=account&action=balance&address=" + a[1] + "&tag=latest");
  EXPECT_TRUE(r.body.starts_with(R"({"status":"1","message":"OK","result":")")) << r.body;
  EXPECT_EQ(text(r.json().at("result")), dec(driver_->rpc("eth_getBalance", {a[1], "latest"})));
  r = api("module=account&action=balancemulti&address=" + a[1] + "," + lower(a[2]));
  const auto multi = r.json().at("result").as_array();
  ASSERT_EQ(multi.size(), 2u);
  EXPECT_EQ(text(multi[1].at("account")), lower(a[2]));
  EXPECT_EQ(text(multi[1].at("balance")), dec(driver_->rpc("eth_getBalance", {a[2], "latest"})));
  r = api("module=account&action=tokenbalance&contractaddress=" + token + "&address=" + a[1]);
  EXPECT_EQ(text(r.json().at("result")), balance_of(token, a[1]));

  // txlist: every transaction of a[1], oldest first, each item's fields in Etherscan's order.
  const auto head = static_cast<std::int64_t>(driver_->head());
  r = api("module=account&action=txlist&address=" + a[1] +
          "&startblock=0&endblock=99999999&sort=asc");
  const auto txs = r.json().at("result").as_array();
  ASSERT_EQ(txs.size(), 1u);  // a[1] sent one coin transfer and received none
  // As docs.etherscan.io's txlist sample has them.
  const std::vector<std::string> fields = {"blockNumber",
                                           "blockHash",
                                           "timeStamp",
                                           "hash",
                                           "nonce",
                                           "transactionIndex",
                                           "from",
                                           "to",
                                           "value",
                                           "gas",
                                           "gasPrice",
                                           "input",
                                           "methodId",
                                           "functionName",
                                           "contractAddress",
                                           "cumulativeGasUsed",
                                           "txreceipt_status",
                                           "gasUsed",
                                           "confirmations",
                                           "isError"};
  std::vector<std::string> keys;
  for (const auto& [k, v] : txs[0].as_object()) {
    keys.emplace_back(k);
    EXPECT_TRUE(v.is_string()) << k;  // every value a string
  }
  EXPECT_EQ(keys, fields);
  const std::string hash{txs[0].at("hash").as_string()};
  const auto node_tx = driver_->rpc("eth_getTransactionByHash", {hash}).as_object();
  const auto receipt = driver_->rpc("eth_getTransactionReceipt", {hash}).as_object();
  EXPECT_EQ(text(txs[0].at("from")), lower(a[1]));
  EXPECT_EQ(text(txs[0].at("to")), lower(a[2]));
  EXPECT_EQ(text(txs[0].at("value")), dec(node_tx.at("value")));
  EXPECT_EQ(text(txs[0].at("blockNumber")), std::to_string(num(node_tx.at("blockNumber"))));
  EXPECT_EQ(text(txs[0].at("gasUsed")), dec(receipt.at("gasUsed")));
  EXPECT_EQ(txs[0].at("txreceipt_status"), "1");
  EXPECT_EQ(txs[0].at("isError"), "0");
  EXPECT_EQ(text(txs[0].at("confirmations")),
            std::to_string(head - num(node_tx.at("blockNumber")) + 1));
  // a[0] has more: pages of one, both orders, and the window.
  r = api("module=account&action=txlist&address=" + a[0] + "&sort=desc");
  const auto all = r.json().at("result").as_array();
  ASSERT_EQ(all.size(), 3u);  // the deployment, the transfer, the batch
  for (std::size_t page = 1; page <= all.size(); ++page) {
    r = api("module=account&action=txlist&address=" + a[0] +
            "&sort=desc&offset=1&page=" + std::to_string(page));
    ASSERT_EQ(r.json().at("result").as_array().size(), 1u);
    EXPECT_EQ(r.json().at("result").at(0).at("hash"), all[page - 1].at("hash"));
  }
  EXPECT_EQ(text(all[2].at("contractAddress")), lower(token));  // the deployment, oldest
  r = api("module=account&action=txlist&address=" + a[0] + "&offset=1&page=4");
  EXPECT_EQ(r.body, R"({"status":"0","message":"No transactions found","result":[]})");
  r = api("module=account&action=txlist&address=" + a[0] + "&offset=101&page=100");
  EXPECT_EQ(r.body, R"({"status":"0","message":"Result window is too large, PageNo x Offset )"
                    R"(size must be less than or equal to 10000","result":null})");

  // Token transfers of a[1]: the single one and its part of the batch.
  r = api("module=account&action=tokentx&address=" + a[1] + "&sort=asc");
  const auto tokentx = r.json().at("result").as_array();
  ASSERT_EQ(tokentx.size(), 2u);
  EXPECT_EQ(tokentx[0].at("value"), "1000");
  EXPECT_EQ(tokentx[0].at("tokenSymbol"), "PTT");
  EXPECT_EQ(tokentx[0].at("tokenName"), "Pend Test Token");
  EXPECT_EQ(tokentx[0].at("tokenDecimal"), "18");
  EXPECT_EQ(text(tokentx[0].at("contractAddress")), lower(token));
  EXPECT_EQ(tokentx[1].at("value"), "1");
  std::vector<std::string> tokentx_keys;
  for (const auto& [k, v] : tokentx[0].as_object()) tokentx_keys.emplace_back(k);
  EXPECT_EQ(tokentx_keys, (std::vector<std::string>{"blockNumber",
                                                    "timeStamp",
                                                    "hash",
                                                    "nonce",
                                                    "blockHash",
                                                    "from",
                                                    "contractAddress",
                                                    "to",
                                                    "value",
                                                    "tokenName",
                                                    "tokenSymbol",
                                                    "tokenDecimal",
                                                    "transactionIndex",
                                                    "gas",
                                                    "gasPrice",
                                                    "gasUsed",
                                                    "cumulativeGasUsed",
                                                    "input",
                                                    "methodId",
                                                    "functionName",
                                                    "confirmations"}));
  EXPECT_EQ(tokentx[0].at("input"), "deprecated");
  EXPECT_EQ(tokentx[0].at("methodId"), "0xa9059cbb");  // transfer(address,uint256)
  r = api("module=account&action=tokentx&contractaddress=" + token);
  EXPECT_EQ(r.json().at("result").as_array().size(), 5u);
  r = api("module=account&action=tokennfttx&address=" + a[1]);
  EXPECT_EQ(r.body, R"({"status":"0","message":"No transactions found","result":[]})");

  // Logs: the token's Transfer events as eth_getLogs has them (numbers hex, zero as "0x").
  r = api("module=logs&action=getLogs&fromBlock=0&toBlock=latest&address=" + token);
  const auto logs = r.json().at("result").as_array();
  const auto node_logs =
      driver_
          ->rpc("eth_getLogs",
                {json::object{{"fromBlock", "0x0"}, {"toBlock", "latest"}, {"address", token}}})
          .as_array();
  ASSERT_EQ(logs.size(), node_logs.size());
  ASSERT_EQ(logs.size(), 5u);
  const auto zero_is_0x = [](const json::value& q) {
    return q.as_string() == "0x0" ? std::string{"0x"} : std::string{q.as_string()};
  };
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const auto& mine_log = logs[i].as_object();
    const auto& node_log = node_logs[i].as_object();
    EXPECT_EQ(text(mine_log.at("address")), lower(token));
    EXPECT_EQ(mine_log.at("topics"), node_log.at("topics"));
    EXPECT_EQ(mine_log.at("data"), node_log.at("data"));
    EXPECT_EQ(text(mine_log.at("blockNumber")), zero_is_0x(node_log.at("blockNumber")));
    EXPECT_EQ(text(mine_log.at("logIndex")), zero_is_0x(node_log.at("logIndex")));
    EXPECT_EQ(mine_log.at("transactionHash"), node_log.at("transactionHash"));
    EXPECT_EQ(text(mine_log.at("transactionIndex")), zero_is_0x(node_log.at("transactionIndex")));
  }
  std::vector<std::string> log_keys;
  for (const auto& [k, v] : logs[0].as_object()) log_keys.emplace_back(k);
  EXPECT_EQ(log_keys,
            (std::vector<std::string>{"address", "topics", "data", "blockNumber", "blockHash",
                                      "timeStamp", "gasPrice", "gasUsed", "logIndex",
                                      "transactionHash", "transactionIndex"}));
  const std::string transfer_topic{node_logs[0].at("topics").at(0).as_string()};
  const std::string to_a1 = "0x" + std::string(24, '0') + lower(a[1]).substr(2);
  r = api("module=logs&action=getLogs&fromBlock=0&toBlock=latest&topic0=" + transfer_topic +
          "&topic0_2_opr=and&topic2=" + to_a1);
  EXPECT_EQ(r.json().at("result").as_array().size(), 2u);  // the transfer and the batch's first
  r = api("module=logs&action=getLogs&fromBlock=0&toBlock=latest&topic1=" + to_a1 +
          "&topic1_2_opr=or&topic2=" + to_a1);
  EXPECT_EQ(r.json().at("result").as_array().size(), 2u);  // from a[1] (none) or to a[1]
  r = api("module=logs&action=getLogs&fromBlock=0&toBlock=latest&address=" + a[4]);
  EXPECT_EQ(r.body, R"({"status":"0","message":"No records found","result":[]})");
  r = api("module=logs&action=getLogs&fromBlock=0&toBlock=latest");
  EXPECT_EQ(r.json().at("status"), "0");
  EXPECT_EQ(r.json().at("message"), "NOTOK");

  // Receipt status, block by time, the proxy.
  r = api("module=transaction&action=gettxreceiptstatus&txhash=" + hash);
  EXPECT_EQ(r.body, R"({"status":"1","message":"OK","result":{"status":"1"}})");
  r = api("module=transaction&action=getstatus&txhash=" + hash);
  EXPECT_EQ(r.body,
            R"({"status":"1","message":"OK","result":{"isError":"0","errDescription":""}})");
  const auto three = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(3), false});
  std::int64_t expected = 0;
  for (std::int64_t n = 0; n <= head; ++n) {
    const auto b = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), false});
    if (num(b.at("timestamp")) <= num(three.at("timestamp"))) expected = n;
  }
  r = api("module=block&action=getblocknobytime&closest=before&timestamp=" +
          std::to_string(num(three.at("timestamp"))));
  EXPECT_EQ(text(r.json().at("result")), std::to_string(expected));
  r = api("module=proxy&action=eth_blockNumber");
  EXPECT_TRUE(r.body.starts_with(R"({"jsonrpc":"2.0","id":83,"result":")")) << r.body;
  EXPECT_EQ(r.json().at("result"), driver_->rpc("eth_blockNumber", {}));
  r = api("module=proxy&action=eth_getTransactionReceipt&txhash=" + hash);
  EXPECT_EQ(r.json().at("result"), json::value(receipt));

  // A transaction to oneself is listed once.
  r = api("module=account&action=txlist&address=" + a[4]);
  ASSERT_EQ(r.json().at("result").as_array().size(), 1u) << r.body;
  EXPECT_EQ(r.json().at("result").at(0).at("hash"), to_itself);
  const auto own = get_json("/api/v1/explorer/addresses/" + a[4] + "/transactions");
  ASSERT_EQ(own.at("items").as_array().size(), 1u) << json::serialize(own);
  EXPECT_EQ(own.at("items").at(0).at("hash"), to_itself);

  // Errors, in the envelope.
  r = api("module=nope&action=balance");
  EXPECT_EQ(r.body,
            R"({"status":"0","message":"NOTOK","result":"Error! Missing Or invalid Module name"})");
  r = api("module=account&action=nope");
  EXPECT_EQ(r.body,
            R"({"status":"0","message":"NOTOK","result":"Error! Missing Or invalid Action name"})");
  r = api("module=account&action=balance&address=0x123");
  EXPECT_EQ(r.body, R"({"status":"0","message":"NOTOK","result":"Error! Invalid address format"})");
  // An error the HTTP core finds (an unknown parameter) is in Etherscan's envelope too.
  r = api("module=account&action=balance&colour=red");
  EXPECT_EQ(r.json().at("status"), "0");
  EXPECT_EQ(r.json().at("message"), "NOTOK");
  EXPECT_NE(text(r.json().at("result")).find("colour"), std::string::npos) << r.body;

  // getblockreward: the producer's priority fees, from the node's receipts.
  for (std::int64_t n = 1; n <= head; ++n) {
    const auto block =
        driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(n), false}).as_object();
    const auto base_fee = chain::quantity_u64(block.at("baseFeePerGas").as_string()).value();
    std::uint64_t tips = 0;
    for (const auto& tx_hash : block.at("transactions").as_array()) {
      const auto rcpt = driver_->rpc("eth_getTransactionReceipt", {tx_hash}).as_object();
      tips += chain::quantity_u64(rcpt.at("gasUsed").as_string()).value() *
              (chain::quantity_u64(rcpt.at("effectiveGasPrice").as_string()).value() - base_fee);
    }
    r = api("module=block&action=getblockreward&blockno=" + std::to_string(n));
    const auto reward = r.json().at("result").as_object();
    std::vector<std::string> keys;
    for (const auto& [k, v] : reward) keys.emplace_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"blockNumber", "timeStamp", "blockMiner",
                                              "blockReward", "uncles", "uncleInclusionReward"}));
    EXPECT_EQ(text(reward.at("blockNumber")), std::to_string(n));
    EXPECT_EQ(text(reward.at("timeStamp")), std::to_string(num(block.at("timestamp"))));
    EXPECT_EQ(text(reward.at("blockMiner")), lower(text(block.at("miner"))));
    EXPECT_EQ(text(reward.at("blockReward")), std::to_string(tips)) << "block " << n;
    EXPECT_EQ(reward.at("uncles"), json::array{});
    EXPECT_EQ(reward.at("uncleInclusionReward"), "0");
  }
  r = api("module=block&action=getblockreward&blockno=" + std::to_string(head + 100));
  EXPECT_EQ(r.body, R"({"status":"0","message":"NOTOK","result":"Error! Block not indexed yet"})");
  r = api("module=block&action=getblockreward&blockno=x");
  EXPECT_EQ(r.body, R"({"status":"0","message":"NOTOK","result":"Error! Invalid block number"})");

  // The form POST of a call answers what its GET does; another body type is refused.
  const std::string call = "module=account&action=balancemulti&address=" + a[1] + "," + a[2];
  const auto posted = request(server_->port(), "POST", "/api",
                              {{"Content-Type", "application/x-www-form-urlencoded"}}, call);
  EXPECT_EQ(posted.status, 200u);
  EXPECT_EQ(posted.body, api(call).body);
  const auto split = request(server_->port(), "POST", "/api?module=account",
                             {{"Content-Type", "application/x-www-form-urlencoded"}},
                             "action=balance&address=" + a[1]);
  EXPECT_EQ(split.body, api("module=account&action=balance&address=" + a[1]).body);
  const auto as_json = request(server_->port(), "POST", "/api",
                               {{"Content-Type", "application/json"}}, R"({"module":"block"})");
  EXPECT_EQ(as_json.status, 200u);
  EXPECT_EQ(as_json.body, R"({"status":"0","message":"NOTOK","result":"Content-Type must be )"
                          R"(application/x-www-form-urlencoded for this route"})");
}

TEST_F(ExplorerTest, TheWalletRoutesShowEachUserTheirOwn) {
  const auto token = checksum(json::value(traffic()));
  index({token});
  process_events();
  const auto& a = ChainDriver::accounts();
  const auto one = signed_in(a[1], '1');
  const auto two = signed_in(a[2], '2');
  const auto as = [&](const std::string& bearer, const std::string& target) {
    const auto r =
        request(server_->port(), "GET", target, {{"Authorization", "Bearer " + bearer}}, {});
    EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
    return r.json().as_object();
  };
  for (const auto& [bearer, address] : {std::pair{one, a[1]}, std::pair{two, a[2]}}) {
    const auto wallet = as(bearer, "/api/v1/wallet");
    EXPECT_EQ(text(wallet.at("address")), address);
    const auto& coin = wallet.at("coin_balance").as_object();
    const auto at = coin.at("block_number").as_int64();
    EXPECT_EQ(text(coin.at("value")),
              dec(driver_->rpc("eth_getBalance", {address, chain::to_quantity(at)})));
    const auto& assets = wallet.at("assets").as_array();
    ASSERT_EQ(assets.size(), 1u);
    EXPECT_EQ(text(assets[0].at("address")), token);
    EXPECT_EQ(assets[0].at("symbol"), "PTT");
    EXPECT_EQ(text(assets[0].at("value")), balance_of(token, address));
  }
  // a[4] never held the token: no stored balance, so balanceOf is read from the node.
  const auto none = as(signed_in(a[4], '4'), "/api/v1/wallet");
  const auto& unheld = none.at("assets").at(0).as_object();
  EXPECT_EQ(unheld.at("source"), "node");
  EXPECT_EQ(text(unheld.at("value")), balance_of(token, a[4]));
  EXPECT_EQ(unheld.at("value"), "0");
  EXPECT_EQ(unheld.at("block_number"), none.at("coin_balance").at("block_number"));
  // a[1]: its coin transfer out to a[2], the batch's 1 and the 1000 in; newest first.
  const auto walk_as = [&](const std::string& bearer) {
    std::vector<std::string> out;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      const auto page = as(bearer, "/api/v1/wallet/transactions?limit=1" +
                                       (cursor.empty() ? std::string{} : "&cursor=" + cursor));
      for (const auto& item : page.at("items").as_array()) {
        out.push_back(text(item.at("kind")) + " " + text(item.at("direction")) + " " +
                      text(item.at("counterparty")) + " " + text(item.at("amount")));
      }
      if (page.at("next_cursor").is_null()) break;
      cursor = text(page.at("next_cursor"));
    }
    return out;
  };
  EXPECT_EQ(walk_as(one),
            (std::vector<std::string>{"transaction out " + a[2] + " 1000000000000000000",
                                      "token_transfer in " + a[0] + " 1",
                                      "token_transfer in " + a[0] + " 1000"}));
  EXPECT_EQ(walk_as(two),
            (std::vector<std::string>{"transaction out " + a[3] + " 12345",
                                      "transaction in " + a[1] + " 1000000000000000000",
                                      "token_transfer in " + a[0] + " 2"}));
  // Without a session: 401; the assets are public.
  EXPECT_EQ(get("/api/v1/wallet").status, 401u);
  const auto assets = get_json("/api/v1/assets").at("items").as_array();
  ASSERT_EQ(assets.size(), 1u);
  EXPECT_EQ(text(assets[0].at("address")), token);
  EXPECT_EQ(assets[0].at("name"), "Pend Test Token");
}

TEST_F(ExplorerTest, UnknownIs404AndMalformedIs400NamingTheParameter) {
  index();
  auto r = get("/api/v1/explorer/blocks/999999");
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "not_found") << r.body;
  r = get("/api/v1/explorer/blocks/0x" + std::string(64, 'a'));
  EXPECT_EQ(r.status, 404u) << r.body;
  r = get("/api/v1/explorer/transactions/0x" + std::string(64, 'b'));
  EXPECT_EQ(r.status, 404u) << r.body;
  for (const auto* bad : {"0x12", "-1", "latest",
                          "0x"
                          "zz"}) {
    r = get(std::string{"/api/v1/explorer/blocks/"} + bad);
    EXPECT_EQ(r.status, 400u) << bad << ": " << r.body;
    EXPECT_EQ(r.json().at("error").at("code"), "invalid_block") << r.body;
    EXPECT_NE(r.body.find("number_or_hash"), std::string::npos) << r.body;
  }
  r = get("/api/v1/explorer/transactions/0x1234");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "invalid_hash") << r.body;
  EXPECT_NE(r.body.find("\"hash\""), std::string::npos) << r.body;
  r = get("/api/v1/explorer/addresses/0x" + std::string(40, '7'));
  EXPECT_EQ(r.status, 404u) << r.body;
  r = get("/api/v1/explorer/addresses/0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "bad_checksum") << r.body;
  r = get("/api/v1/explorer/tokens/0x123/holders");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "invalid_address") << r.body;
  r = get("/api/v1/explorer/tokens/0x" + std::string(40, '7'));
  EXPECT_EQ(r.status, 404u) << r.body;
  r = get("/api/v1/explorer/search");
  EXPECT_EQ(r.status, 422u) << r.body;
  r = get("/api/v1/explorer/blocks?cursor=nonsense");
  EXPECT_EQ(r.status, 400u) << r.body;
  r = get("/api/v1/explorer/blocks?type=odd");
  EXPECT_EQ(r.status, 422u) << r.body;
  r = get("/api/v1/explorer/blocks?limit=1000");
  EXPECT_EQ(r.status, 422u) << r.body;
}

// The explorer on a Redis of the test's own, with the response cache on: the events, cache
// entries and rate-limit counters of tests running beside it would otherwise meet.
class OwnRedisExplorerTest : public ExplorerTest {
 protected:
  void SetUp() override {
    if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides Redis";
    redis_ = std::make_unique<TempRedis>();
    redis_url_ = redis_->url();
    ExplorerTest::SetUp();
  }
  void configure(config::Settings& settings) override {
    settings.redis.url = redis_->url();
    settings.cache.enabled = true;
  }
  std::unique_ptr<TempRedis> redis_;
};

// Live updates and the response cache.
class LiveExplorerTest : public OwnRedisExplorerTest {
 protected:
  void SetUp() override {
    OwnRedisExplorerTest::SetUp();
    if (IsSkipped()) return;
    // The instance's subscriber is up before anything is published.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (request(server_->port(), "GET", "/metrics")
               .body.find("pend_explorer_stream_subscribed 1") == std::string::npos) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "never subscribed";
    }
  }
  void configure(config::Settings& settings) override {
    OwnRedisExplorerTest::configure(settings);
    settings.chain.finality_depth = 4;
    settings.chain.stream_heartbeat = 200ms;
    settings.chain.stream_max_connections = 3;
  }

  // The next event of `type`, skipping others, within a second.
  SseEvent next_of(SseClient& sse, const std::string& type) {
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (auto event = sse.next(deadline)) {
      if (event->type == type) return *event;
    }
    ADD_FAILURE() << "no " << type << " event within a second";
    return {};
  }
  static json::object data_of(const SseEvent& event) { return json::parse(event.data).as_object(); }

  cache::BlockingRedis redis() {
    return cache::BlockingRedis(config::parse_redis_url(redis_->url()).value(), 2s);
  }
  // The cached entry of a path (no query) in an epoch, once stored: its key and TTL in seconds.
  std::pair<std::string, std::int64_t> cached(const std::string& path, int epoch = 0) {
    auto r = redis();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto keys = r.command({"KEYS", "api:GET:" + path + ":*:e" + std::to_string(epoch)});
      if (!keys.elements.empty()) {
        const auto key = keys.elements[0].text;
        return {key, r.command({"TTL", key}).integer};
      }
    }
    ADD_FAILURE() << "nothing cached for " << path;
    return {};
  }
};

TEST_F(LiveExplorerTest, TheStreamDeliversNewBlocksAndResumesFromLastEventId) {
  driver_->mine(2);
  index();  // the chain so far: published before the client came, not sent to it
  auto sse = std::make_unique<SseClient>(server_->port(), "/api/v1/explorer/stream");
  ASSERT_EQ(sse->status(), 200u);
  EXPECT_EQ(sse->head().header("Content-Type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(sse->head().header("Transfer-Encoding"), "chunked");

  driver_->mine(1);
  index();
  const auto node = driver_->rpc("eth_getBlockByNumber", {"latest", false}).as_object();
  const auto first = next_of(*sse, "block");
  const auto data = data_of(first);
  EXPECT_EQ(data.at("number").as_int64(), num(node.at("number")));
  EXPECT_EQ(data.at("hash"), node.at("hash"));
  EXPECT_EQ(data.at("parent_hash"), node.at("parentHash"));
  EXPECT_EQ(text(data.at("timestamp")), iso(node.at("timestamp")));
  EXPECT_EQ(text(data.at("miner")), checksum(node.at("miner")));
  EXPECT_EQ(data.at("transaction_count").as_int64(), 0);
  EXPECT_FALSE(first.id.empty());

  // Heartbeats while nothing happens.
  const auto quiet = std::chrono::steady_clock::now() + 2s;
  while (sse->comments() == 0 && std::chrono::steady_clock::now() < quiet) sse->next(quiet);
  EXPECT_GT(sse->comments(), 0u);

  // Away for two blocks: they come first on return, in order, then the live ones.
  const auto from = num(node.at("number"));
  sse.reset();
  driver_->mine(2);
  index();
  SseClient back(server_->port(), "/api/v1/explorer/stream", {{"Last-Event-ID", first.id}});
  ASSERT_EQ(back.status(), 200u);
  std::vector<std::int64_t> numbers;
  std::string last_id = first.id;
  for (int i = 0; i < 2; ++i) {
    const auto event = next_of(back, "block");
    numbers.push_back(data_of(event).at("number").as_int64());
    EXPECT_GT(event.id, last_id);  // same-length ms ids: in order
    last_id = event.id;
  }
  EXPECT_EQ(numbers, (std::vector<std::int64_t>{from + 1, from + 2}));
  driver_->mine(1);
  index();
  EXPECT_EQ(data_of(next_of(back, "block")).at("number").as_int64(), from + 3);

  // An id that is not one of this stream's is refused.
  SseClient wrong(server_->port(), "/api/v1/explorer/stream", {{"Last-Event-ID", "yesterday"}});
  EXPECT_EQ(wrong.status(), 400u);
  EXPECT_NE(wrong.head().body.find("invalid_last_event_id"), std::string::npos);

  // Three open streams are this instance's cap (chain.stream_max_connections): the fourth is
  // refused with Retry-After.
  SseClient second(server_->port(), "/api/v1/explorer/stream");
  SseClient third(server_->port(), "/api/v1/explorer/stream");
  ASSERT_EQ(third.status(), 200u);
  SseClient fourth(server_->port(), "/api/v1/explorer/stream");
  EXPECT_EQ(fourth.status(), 503u);
  EXPECT_EQ(fourth.head().header("Retry-After"), "5");
  EXPECT_NE(fourth.head().body.find("stream_capacity"), std::string::npos);

  // A server that stops ends its streams (the last chunk), rather than wait for them.
  server_.reset();
  EXPECT_FALSE(back.next(std::chrono::steady_clock::now() + 5s).has_value());
  EXPECT_TRUE(back.ended());
}

TEST_F(LiveExplorerTest, ASignedInWalletGetsItsOwnIncomingTransfers) {
  index();
  const auto& a = ChainDriver::accounts();
  const auto one = signed_in(a[1], '1');
  const auto two = signed_in(a[2], '2');
  SseClient mine_one(server_->port(), "/api/v1/explorer/stream",
                     {{"Authorization", "Bearer " + one}});
  SseClient mine_two(server_->port(), "/api/v1/explorer/stream",
                     {{"Authorization", "Bearer " + two}});
  ASSERT_EQ(mine_one.status(), 200u);
  ASSERT_EQ(mine_two.status(), 200u);

  const auto hash = text(driver_->send(a[0], a[1], "0x", "777").at("transactionHash"));
  index();
  const auto block = next_of(mine_one, "block");
  const auto transfer = next_of(mine_one, "transfer");
  EXPECT_EQ(transfer.id, block.id + "/1");
  const auto t = data_of(transfer);
  EXPECT_EQ(text(t.at("transaction_hash")), hash);
  EXPECT_EQ(t.at("type"), "native");
  EXPECT_EQ(text(t.at("from")), a[0]);
  EXPECT_EQ(text(t.at("to")), a[1]);
  EXPECT_EQ(t.at("value"), "777");
  EXPECT_EQ(t.at("block_number").as_int64(), data_of(block).at("number").as_int64());
  // The other wallet sees the block and nothing of the transfer.
  const auto other = next_of(mine_two, "block");
  EXPECT_EQ(other.id, block.id);
  driver_->mine(1);
  index();
  const auto after = mine_two.next(std::chrono::steady_clock::now() + 1s);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->type, "block");

  // A token transfer too; and resuming from the block's id gives its transfer again.
  const auto token = driver_->deploy("TestToken");
  driver_->send(a[0], token, ChainDriver::call_data("transfer(address,uint256)", {a[1], "1000"}));
  index();
  SseEvent token_block, token_transfer;
  while (token_transfer.type.empty()) {
    const auto event = mine_one.next(std::chrono::steady_clock::now() + 1s);
    ASSERT_TRUE(event.has_value()) << "no token transfer";
    if (event->type == "block") token_block = *event;
    if (event->type == "transfer") token_transfer = *event;
  }
  const auto tt = data_of(token_transfer);
  EXPECT_EQ(tt.at("type"), "ERC-20");
  EXPECT_EQ(text(tt.at("token")), checksum(json::value(token)));
  EXPECT_EQ(tt.at("value"), "1000");
  EXPECT_EQ(text(tt.at("to")), a[1]);
  SseClient again(server_->port(), "/api/v1/explorer/stream",
                  {{"Authorization", "Bearer " + one}, {"Last-Event-ID", token_block.id}});
  const auto replayed = next_of(again, "transfer");
  EXPECT_EQ(replayed.id, token_transfer.id);
  EXPECT_EQ(replayed.data, token_transfer.data);
  // A token that does not resolve is refused, not served as anonymous.
  SseClient bad(server_->port(), "/api/v1/explorer/stream",
                {{"Authorization", "Bearer pend_s_notatoken"}});
  EXPECT_EQ(bad.status(), 401u);
}

TEST_F(LiveExplorerTest, FinalAnswersAreCachedLongAndAReorgRetiresTheCachedOnes) {
  driver_->mine(12);
  SseClient sse(server_->port(), "/api/v1/explorer/stream");
  index();
  const auto tip = static_cast<std::int64_t>(driver_->head());
  // The instance has heard of the tip (its events reached the stream).
  while (true) {
    const auto event = next_of(sse, "block");
    if (event.type.empty() || data_of(event).at("number").as_int64() == tip) break;
  }
  // Block 2 is final (finality depth 4): the long TTL; the tip: the short one.
  const auto old = get("/api/v1/explorer/blocks/2");
  EXPECT_EQ(old.header("X-Cache"), "MISS");
  const auto [old_key, old_ttl] = cached("/api/v1/explorer/blocks/2");
  EXPECT_FALSE(old_key.empty());
  EXPECT_GT(old_ttl, 300);
  EXPECT_LE(old_ttl, 3600);
  const std::string tip_path = "/api/v1/explorer/blocks/" + std::to_string(tip);
  const auto before = get(tip_path);
  ASSERT_EQ(before.status, 200u);
  const auto [tip_key, tip_ttl] = cached(tip_path);
  EXPECT_LE(tip_ttl, 30);
  const auto hit = get(tip_path);
  EXPECT_EQ(hit.header("X-Cache"), "HIT");
  EXPECT_EQ(hit.body, before.body);
  const std::string replaced{before.json().at("hash").as_string()};

  driver_->reorg(2);
  index();
  const auto reorg = data_of(next_of(sse, "reorg"));
  EXPECT_EQ(reorg.at("from_block").as_int64(), tip - 1);
  EXPECT_EQ(reorg.at("depth").as_int64(), 2);
  EXPECT_EQ(reorg.at("epoch").as_int64(), 1);
  // The tip's cached answer is not served: the node's new block is.
  const auto now = get(tip_path);
  EXPECT_EQ(now.header("X-Cache"), "MISS");
  const auto node = driver_->rpc("eth_getBlockByNumber", {chain::to_quantity(tip), false});
  EXPECT_EQ(now.json().at("hash"), node.at("hash"));
  EXPECT_NE(text(now.json().at("hash")), replaced);
  const auto gone = get_json("/api/v1/explorer/blocks/" + replaced);
  EXPECT_EQ(gone.at("consensus"), false);
  EXPECT_FALSE(cached(tip_path, 1).first.empty());
  EXPECT_EQ(get(tip_path).header("X-Cache"), "HIT");
}

// The Etherscan API's keys: anonymous callers held to the group's rule, keyed callers to
// their key's limits, both refused in Etherscan's words; unknown and revoked keys refused,
// and a run of them throttled; admins make, limit and revoke keys, audited, and the key itself
// is shown once and stored nowhere.
class EtherscanKeysTest : public OwnRedisExplorerTest {
 protected:
  void configure(config::Settings& settings) override {
    OwnRedisExplorerTest::configure(settings);
    settings.rate_limit.enabled = true;
    settings.rate_limit.rules = {"etherscan-anonymous etherscan ip 3/1h low"};
    clock_ = &clock;
  }
  HttpResponse api(const std::string& query) {
    const auto r = get("/api?" + query);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    return r;
  }
  // A key made by an admin: {id, key}.
  std::pair<std::string, std::string> make_key(const std::string& token, const std::string& body) {
    const auto r = admin_call("POST", "/api/v1/admin/api-keys", token, body);
    EXPECT_EQ(r.status, 201u) << r.body;
    const auto result = r.json().as_object();
    return {text(result.at("resource_id")), text(result.at("api_key"))};
  }

  util::ManualClock clock;
};

constexpr std::string_view kRateLimited =
    R"({"status":"0","message":"NOTOK","result":"Max rate limit reached, please use API Key for )"
    R"(higher rate limit"})";
constexpr std::string_view kInvalidKey =
    R"({"status":"0","message":"NOTOK","result":"Invalid API Key"})";

TEST_F(EtherscanKeysTest, KeysCarryTheirOwnLimitsAndAnonymousCallersTheGroups) {
  driver_->mine(2);
  index();
  const std::string call = "module=block&action=getblockreward&blockno=1";
  // Anonymous: three calls an hour from this address, then Etherscan's refusal.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api(call).json().at("status"), "1") << i;
  auto r = api(call);
  EXPECT_EQ(r.body, kRateLimited);
  EXPECT_FALSE(r.header("Retry-After").empty());

  // Only api_keys.manage makes keys.
  const auto viewer = admin_token(security::Role::viewer, "viewer");
  r = admin_call("POST", "/api/v1/admin/api-keys", viewer,
                 R"({"name":"x","per_second":5,"justification":"partner"})");
  EXPECT_EQ(r.status, 403u) << r.body;
  const auto admin = admin_token(security::Role::admin, "admin");
  r = admin_call("POST", "/api/v1/admin/api-keys", admin,
                 R"({"name":"","per_second":0,"justification":"partner"})");
  EXPECT_EQ(r.status, 422u) << r.body;
  const auto [id, key] =
      make_key(admin, R"({"name":"partner","per_second":1000,"per_day":2,"justification":"x"})");
  ASSERT_EQ(key.size(), 32u);
  EXPECT_EQ(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), std::string::npos);
  // Stored as its hash; the audit row has the row as made and never the key.
  EXPECT_EQ(database_.value("SELECT key_hash || ' ' || key_prefix || ' ' || per_second || ' ' || "
                            "per_day FROM api_keys WHERE id = '" +
                            id + "'"),
            security::sha256_hex(key) + " " + key.substr(0, 6) + " 1000 2");
  const auto audited = database_.value(
      "SELECT outcome || ' ' || new_values::text FROM admin_audit_logs WHERE action = "
      "'api_key.create' AND resource_id = '" +
      id + "'");
  EXPECT_TRUE(audited.starts_with("allowed ")) << audited;
  EXPECT_NE(audited.find(key.substr(0, 6)), std::string::npos) << audited;
  EXPECT_EQ(audited.find(key), std::string::npos) << audited;
  EXPECT_EQ(audited.find(security::sha256_hex(key)), std::string::npos) << audited;

  // The key's own limits stand in for the address's: two calls a day, then the refusal. The
  // cached answer is shared whoever's key asks (the key is not part of the cache key).
  r = api(call + "&apikey=" + key);
  EXPECT_EQ(r.json().at("status"), "1");
  EXPECT_EQ(r.header("X-Cache"), "HIT");
  EXPECT_EQ(r.header("RateLimit-Limit"), "2");  // the tightest: 1 left today, 999 this second
  EXPECT_EQ(r.header("RateLimit-Remaining"), "1");
  EXPECT_EQ(api("module=proxy&action=eth_blockNumber&apikey=" + key).json().at("result"),
            driver_->rpc("eth_blockNumber", {}));
  EXPECT_EQ(api(call + "&apikey=" + key).body, kRateLimited);
  EXPECT_NE(
      database_.value("SELECT last_used_at IS NOT NULL FROM api_keys WHERE id = '" + id + "'"),
      "f");

  // New limits, audited with the old and the new values.
  r = admin_call("PUT", "/api/v1/admin/api-keys/" + id + "/limits", admin,
                 R"({"per_second":10,"justification":"more"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("old_values").at("per_day"), 2);
  EXPECT_EQ(r.json().at("new_values").at("per_day"), nullptr);
  EXPECT_EQ(database_.value("SELECT per_second || '/' || coalesce(per_day::text, 'none') FROM "
                            "api_keys WHERE id = '" +
                            id + "'"),
            "10/none");

  // A revoked key stops working once the shards forget it (ApiKeys::kRemember).
  const auto [id2, key2] =
      make_key(admin, R"({"name":"second","per_second":100,"justification":"x"})");
  EXPECT_EQ(api(call + "&apikey=" + key2).json().at("status"), "1");
  r = admin_call("POST", "/api/v1/admin/api-keys/" + id2 + "/revoke", admin,
                 R"({"justification":"leaked"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("new_values").at("status"), "revoked");
  clock.advance(11s);
  EXPECT_EQ(api(call + "&apikey=" + key2).body, kInvalidKey);
  r = admin_call("POST", "/api/v1/admin/api-keys/" + id2 + "/revoke", admin,
                 R"({"justification":"again"})");
  EXPECT_EQ(r.status, 409u) << r.body;
  // The list: newest first, never a key or its hash.
  r = admin_call("GET", "/api/v1/admin/api-keys?status=active", admin);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto items = r.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(text(items[0].at("id")), id);
  EXPECT_EQ(items[0].at("name"), "partner");
  EXPECT_EQ(r.body.find("key_hash"), std::string::npos);
  EXPECT_EQ(admin_call("GET", "/api/v1/admin/api-keys", admin).json().at("items").as_array().size(),
            2u);

  // Unknown keys: refused, and after five in 30 s from one address, throttled.
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(api(call + "&apikey=NOTAKEY" + std::to_string(i)).body,
              kInvalidKey);  // the revoked one was the first
  EXPECT_EQ(api(call + "&apikey=" + std::string(32, 'Z')).body,
            R"({"status":"0","message":"NOTOK","result":"Too many invalid api key attempts, )"
            R"(please try again later"})");
  // The form POST reads its key from the body.
  r = request(server_->port(), "POST", "/api",
              {{"Content-Type", "application/x-www-form-urlencoded"}}, call + "&apikey=" + key);
  EXPECT_EQ(r.json().at("status"), "1") << r.body;
}

// Admins with assets.manage track a token (one the indexer has not seen yet too) and untrack
// it; the wallet's asset list follows, and each change is in the audit trail.
TEST_F(ExplorerTest, AdminsTrackAndUntrackAssets) {
  const auto token = checksum(json::value(traffic()));
  index();
  auto assets = get_json("/api/v1/assets");
  EXPECT_EQ(assets.at("items").as_array().size(), 0u) << json::serialize(assets);
  const auto support = admin_token(security::Role::support, "support");
  const std::string body =
      R"({"address":")" + security::parse_address(token)->lower() + R"(","justification":"x"})";
  EXPECT_EQ(admin_call("POST", "/api/v1/admin/assets", support, body).status, 403u);
  const auto admin = admin_token(security::Role::admin, "assets");
  auto r = admin_call("POST", "/api/v1/admin/assets", admin, body);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(text(r.json().at("resource_id")), token);
  EXPECT_EQ(r.json().at("new_values").at("tracked"), true);
  assets = get_json("/api/v1/assets");
  ASSERT_EQ(assets.at("items").as_array().size(), 1u) << json::serialize(assets);
  EXPECT_EQ(text(assets.at("items").at(0).at("address")), token);
  EXPECT_EQ(admin_call("POST", "/api/v1/admin/assets", admin, body).status, 409u);

  // One the indexer has never seen: added as ERC-20, tracked, its metadata to be fetched.
  const std::string unseen = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  r = admin_call("POST", "/api/v1/admin/assets", admin,
                 R"({"address":")" + unseen + R"(","type":"ERC-721","justification":"x"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("old_values"), nullptr);
  EXPECT_EQ(database_.value("SELECT type || ' ' || tracked FROM tokens WHERE contract_address = "
                            "decode('5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', 'hex')"),
            "ERC-721 true");
  r = admin_call("POST", "/api/v1/admin/assets", admin,
                 R"({"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD","justification":"x"})");
  EXPECT_EQ(r.status, 422u) << r.body;  // a wrong EIP-55 checksum

  r = admin_call("POST", "/api/v1/admin/assets/" + token + "/untrack", admin,
                 R"({"justification":"delisted"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("old_values").at("tracked"), true);
  EXPECT_EQ(r.json().at("new_values").at("tracked"), false);
  assets = get_json("/api/v1/assets");
  ASSERT_EQ(assets.at("items").as_array().size(), 1u);
  EXPECT_EQ(text(assets.at("items").at(0).at("address")), unseen);
  EXPECT_EQ(admin_call("POST", "/api/v1/admin/assets/" + token + "/untrack", admin,
                       R"({"justification":"again"})")
                .status,
            409u);
  EXPECT_EQ(database_.value("SELECT string_agg(action || ':' || outcome, ',' ORDER BY seq) FROM "
                            "admin_audit_logs WHERE resource_type = 'token'"),
            "asset.track:allowed,asset.track:refused,asset.track:allowed,asset.untrack:allowed,"
            "asset.untrack:refused");
}

}  // namespace
}  // namespace pend::test
