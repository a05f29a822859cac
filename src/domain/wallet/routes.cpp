#include "domain/wallet/routes.hpp"

#include "cache/cache_service.hpp"
#include "chain/node_reader.hpp"
#include "chain/quantity.hpp"
#include "db/request_scope.hpp"
#include "domain/common/errors.hpp"
#include "domain/common/pagination.hpp"
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "security/evm_address.hpp"
#include "util/time.hpp"
#include "util/work_pool.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <limits>

namespace pend::domain::wallet {

namespace asio = boost::asio;
namespace json = boost::json;

namespace api {

struct WalletPageQuery {
  static constexpr std::string_view kSchema = "WalletPageQuery";
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(WalletPageQuery, (), (limit, cursor))

}  // namespace api

namespace {

constexpr db::Statement kUserAddress{
    "wallet.user_address",
    "SELECT lower(blockchain_address) FROM users WHERE id = $1::uuid AND status = 'active'"};
constexpr db::Statement kCoinBalance{
    "wallet.coin_balance",
    "SELECT value::text, block_number FROM address_coin_balances WHERE address = decode($1, "
    "'hex') ORDER BY block_number DESC LIMIT 1"};
// The tracked tokens with this address's stored balances (NULL where none is stored).
constexpr db::Statement kAssets{
    "wallet.assets",
    "SELECT encode(t.contract_address, 'hex'), t.type, t.name, t.symbol, t.decimals, "
    "t.total_supply::text, b.token_id::text, b.value::text, b.block_number FROM tokens t "
    "LEFT JOIN address_token_balances b ON b.token_address = t.contract_address AND "
    "b.address = decode($1, 'hex') WHERE t.tracked ORDER BY t.contract_address, b.token_id"};
constexpr db::Statement kTrackedTokens{
    "wallet.tracked_tokens",
    "SELECT encode(contract_address, 'hex'), type, name, symbol, decimals, total_supply::text "
    "FROM tokens WHERE tracked ORDER BY contract_address"};
// Transactions (rank 1) and token transfers (rank 0) merged, newest first, keyed (block,
// rank, position, batch).
constexpr db::Statement kActivity{
    "wallet.activity",
    "SELECT * FROM (SELECT block_number, 1 AS rank, index AS position, 0 AS batch, "
    "encode(hash, 'hex') AS hash, block_timestamp, encode(from_address, 'hex') AS sender, "
    "encode(to_address, 'hex') AS recipient, value::text AS amount, NULL::text AS token, "
    "NULL::text AS token_type, NULL::text AS token_id, status FROM transactions "
    "WHERE block_consensus AND (from_address = decode($1, 'hex') OR to_address = "
    "decode($1, 'hex')) "
    "UNION ALL SELECT block_number, 0, log_index, batch_index, encode(transaction_hash, "
    "'hex'), block_timestamp, encode(from_address, 'hex'), encode(to_address, 'hex'), "
    "amount::text, encode(token_address, 'hex'), token_type, token_id::text, NULL "
    "FROM token_transfers WHERE block_consensus AND (from_address = decode($1, 'hex') OR "
    "to_address = decode($1, 'hex'))) u "
    "WHERE (block_number, rank, position, batch) < ($2, $3, $4, $5) "
    "ORDER BY block_number DESC, rank DESC, position DESC, batch DESC LIMIT $6"};

json::value text_or_null(const db::Row& r, int c) {
  return r.is_null(c) ? json::value(nullptr) : json::value(r.get<std::string>(c));
}
json::value address_or_null(const db::Row& r, int c) {
  return r.is_null(c) ? json::value(nullptr)
                      : json::value(security::to_checksum(r.get<std::string>(c)));
}

json::object token_json(const db::Row& r) {
  return {{"address", address_or_null(r, 0)},
          {"type", text_or_null(r, 1)},
          {"name", text_or_null(r, 2)},
          {"symbol", text_or_null(r, 3)},
          {"decimals", r.is_null(4) ? json::value(nullptr) : json::value(r.get<std::int64_t>(4))},
          {"total_supply", text_or_null(r, 5)}};
}

std::int64_t int_key(const std::string& text) {
  std::int64_t n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size())
    throw http::ApiError::bad_request("invalid_cursor", "the cursor is not one of this list");
  return n;
}

class WalletRoutes final : public Feature {
 public:
  explicit WalletRoutes(const Deps& deps)
      : database_(deps.database),
        cache_(deps.cache),
        node_(deps.settings.chain),
        work_(deps.work) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> wallet(http::RequestContext& ctx);
  asio::awaitable<void> transactions(http::RequestContext& ctx);
  asio::awaitable<void> assets(http::RequestContext& ctx);

 private:
  // The caller's address (lowercase hex without 0x); 401 when the account is not active.
  asio::awaitable<std::string> address_of(http::RequestContext& ctx);
  asio::awaitable<json::object> coin_balance(const std::string& hex, const db::Scope& scope);
  asio::awaitable<std::optional<std::string>> token_balance(const std::string& token,
                                                            const std::string& holder,
                                                            std::uint64_t block);

  db::Database& database_;
  cache::CacheService* cache_;
  chain::NodeReader node_;
  util::WorkPool& work_;
};

using R = WalletRoutes;
const http::RouteSpec<R> kRoutes[] = {
    {http::Method::get,
     "/api/v1/wallet",
     &R::wallet,
     {.access = http::Access::user, .group = "wallet"}},
    {http::Method::get,
     "/api/v1/wallet/transactions",
     &R::transactions,
     {.access = http::Access::user,
      .query = &http::schema_of<api::WalletPageQuery>(),
      .group = "wallet"}},
    {http::Method::get, "/api/v1/assets", &R::assets, {.group = "wallet"}},
};

void WalletRoutes::add_routes(http::Router& router) {
  http::add_routes<WalletRoutes>(router, *this, kRoutes);
}

asio::awaitable<std::string> WalletRoutes::address_of(http::RequestContext& ctx) {
  const auto rows =
      co_await database_.query(kUserAddress, db::request_scope(ctx), ctx.principal.id);
  if (rows.empty()) {
    throw DomainError::unauthenticated("account_unavailable",
                                       "this account is suspended or closed");
  }
  co_return rows[0].get<std::string>(0).substr(2);
}

asio::awaitable<json::object> WalletRoutes::coin_balance(const std::string& hex,
                                                         const db::Scope& scope) {
  const std::string checksummed = security::to_checksum(hex);
  if (cache_ != nullptr) {
    const auto cached = co_await cache_->get_blockchain_data("balance", checksummed);
    if (cached && cached->data.is_object() && cached->data.as_object().contains("value")) {
      co_return json::object{{"value", cached->data.at("value")},
                             {"block_number", cached->block_number},
                             {"source", "cache"}};
    }
  }
  const auto rows = co_await database_.query(kCoinBalance, scope, hex);
  if (!rows.empty()) {
    co_return json::object{{"value", rows[0].get<std::string>(0)},
                           {"block_number", rows[0].get<std::int64_t>(1)},
                           {"source", "index"}};
  }
  auto read = [this, hex] { return node_.balance(hex); };
  const auto live = co_await work_.run(std::move(read));
  if (!live)
    co_return json::object{{"value", nullptr}, {"block_number", nullptr}, {"source", nullptr}};
  if (cache_ != nullptr) {
    json::object data{{"address", checksummed}, {"value", live->value}};
    co_await cache_->cache_blockchain_data("balance", checksummed, data,
                                           static_cast<std::int64_t>(live->block));
  }
  co_return json::object{{"value", live->value},
                         {"block_number", static_cast<std::int64_t>(live->block)},
                         {"source", "node"}};
}

asio::awaitable<std::optional<std::string>> WalletRoutes::token_balance(const std::string& token,
                                                                        const std::string& holder,
                                                                        std::uint64_t block) {
  auto read = [this, token, holder, block]() -> std::optional<std::string> {
    const auto got = node_.token_balance(token, holder, chain::to_quantity(block));
    if (!got.result || !got.result->is_string()) return std::nullopt;
    return std::string{got.result->get_string()};
  };
  co_return co_await work_.run(std::move(read));
}

asio::awaitable<void> WalletRoutes::wallet(http::RequestContext& ctx) {
  const auto scope = db::request_scope(ctx);
  const auto hex = co_await address_of(ctx);
  auto coin = co_await coin_balance(hex, scope);
  const auto rows = co_await database_.query(kAssets, scope, hex);
  json::array assets;
  for (int i = 0; i < rows.rows(); ++i) {
    const auto r = rows[i];
    auto asset = token_json(r);
    if (!r.is_null(7)) {
      asset["token_id"] = r.get<std::string>(6);
      asset["value"] = r.get<std::string>(7);
      asset["block_number"] = r.get<std::int64_t>(8);
      asset["source"] = "index";
    } else if (coin.at("block_number").is_int64() && !r.is_null(1) &&
               r.get<std::string>(1) != "ERC-1155") {
      // Never stored: balanceOf at the coin balance's block, so both are true at one block.
      const auto block = static_cast<std::uint64_t>(coin.at("block_number").as_int64());
      const std::string token = r.get<std::string>(0);
      const auto value = co_await token_balance(token, hex, block);
      asset["token_id"] = "0";
      asset["value"] = value ? json::value(*value) : json::value(nullptr);
      asset["block_number"] = value ? json::value(static_cast<std::int64_t>(block)) : nullptr;
      asset["source"] = value ? json::value("node") : json::value(nullptr);
    } else {
      asset["token_id"] = nullptr;
      asset["value"] = nullptr;
      asset["block_number"] = nullptr;
      asset["source"] = nullptr;
    }
    assets.push_back(std::move(asset));
  }
  ctx.json(200, json::object{{"address", security::to_checksum(hex)},
                             {"coin_balance", std::move(coin)},
                             {"assets", std::move(assets)}});
}

asio::awaitable<void> WalletRoutes::transactions(http::RequestContext& ctx) {
  const auto query = http::read_query<api::WalletPageQuery>(ctx);
  const auto limit = page_limit(query.limit, 25, 100);
  const auto keys = decode_cursor(query.cursor, 4);
  const auto scope = db::request_scope(ctx);
  const auto hex = co_await address_of(ctx);
  const bool first = keys[0].empty();
  const std::int64_t block = first ? std::numeric_limits<std::int64_t>::max() : int_key(keys[0]);
  const std::int64_t rank = first ? 2 : int_key(keys[1]);
  const std::int64_t position = first ? 0 : int_key(keys[2]);
  const std::int64_t batch = first ? 0 : int_key(keys[3]);
  const auto rows =
      co_await database_.query(kActivity, scope, hex, block, rank, position, batch, limit + 1);
  json::array items;
  std::optional<std::string> next;
  for (int i = 0; i < rows.rows(); ++i) {
    const auto r = rows[i];
    if (i == limit) {
      const auto last = rows[i - 1];
      next = encode_cursor(
          {std::to_string(last.get<std::int64_t>(0)), std::to_string(last.get<std::int64_t>(1)),
           std::to_string(last.get<std::int64_t>(2)), std::to_string(last.get<std::int64_t>(3))});
      break;
    }
    const std::string from = r.is_null(6) ? std::string{} : r.get<std::string>(6);
    const std::string to = r.is_null(7) ? std::string{} : r.get<std::string>(7);
    const bool out = from == hex, in = to == hex;
    const char* direction = out && in ? "self" : out ? "out" : "in";
    const std::string& other = out && !in ? to : from;
    const bool transfer = r.get<std::int64_t>(1) == 0;
    json::object item{
        {"kind", transfer ? "token_transfer" : "transaction"},
        {"transaction_hash", "0x" + r.get<std::string>(4)},
        {"block_number", r.get<std::int64_t>(0)},
        {"timestamp", util::format_rfc3339(r.get<db::Timestamp>(5), util::TimePrecision::seconds)},
        {"direction", direction},
        {"counterparty",
         other.empty() ? json::value(nullptr) : json::value(security::to_checksum(other))},
        {"amount", text_or_null(r, 8)},
        {"token", address_or_null(r, 9)},
        {"token_type", text_or_null(r, 10)},
        {"token_id", text_or_null(r, 11)}};
    if (!transfer) {
      item["status"] = r.is_null(12)
                           ? json::value(nullptr)
                           : json::value(r.get<std::int64_t>(12) == 1 ? "success" : "failed");
    }
    items.push_back(std::move(item));
  }
  ctx.json(200, json::object{{"items", std::move(items)},
                             {"next_cursor", next ? json::value(*next) : json::value(nullptr)}});
}

asio::awaitable<void> WalletRoutes::assets(http::RequestContext& ctx) {
  const auto rows = co_await database_.query(kTrackedTokens, db::request_scope(ctx));
  json::array items;
  for (int i = 0; i < rows.rows(); ++i) items.push_back(token_json(rows[i]));
  ctx.json(200, json::object{{"items", std::move(items)}});
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<WalletRoutes>(deps);
}

}  // namespace pend::domain::wallet
