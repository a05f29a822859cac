#include "domain/explorer/routes.hpp"

#include "chain/node_reader.hpp"
#include "chain/quantity.hpp"
#include "db/request_scope.hpp"
#include "domain/common/errors.hpp"
#include "domain/common/pagination.hpp"
#include "domain/explorer/api.hpp"
#include "domain/explorer/api_keys.hpp"
#include "domain/explorer/etherscan.hpp"
#include "domain/explorer/live.hpp"
#include "domain/explorer/repository.hpp"
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "security/evm_address.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <limits>

namespace pend::domain::explorer {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::int64_t kDefaultLimit = 25;
constexpr std::int64_t kMaxLimit = 100;

using util::json::Writer;

// The renderers write each row's JSON straight into the body (util::json::Writer): with a
// boost::json::value tree in between, a page of 25 transactions took about 250 microseconds
// of the server's CPU, written directly about 90 (docs/benchmarks.md, the explorer). Each
// name_member writes "name": value, null when the column is NULL.

// Text columns of hex without 0x (encode(..., 'hex')), as 0x-prefixed strings.
void hex_member(Writer& w, std::string_view name, const db::Row& r, int column) {
  w.key(name);
  if (r.is_null(column)) {
    w.null();
  } else {
    w.string("0x", r.get<std::string_view>(column));
  }
}
// The same for an address: in EIP-55 form.
void address_member(Writer& w, std::string_view name, const db::Row& r, int column) {
  w.key(name);
  if (r.is_null(column)) {
    w.null();
  } else {
    w.string(security::to_checksum(r.get<std::string_view>(column)));
  }
}
// Text columns (256-bit numbers arrive as their decimal text).
void text_member(Writer& w, std::string_view name, const db::Row& r, int column) {
  w.key(name);
  if (r.is_null(column)) {
    w.null();
  } else {
    w.string(r.get<std::string_view>(column));
  }
}
void int_member(Writer& w, std::string_view name, const db::Row& r, int column) {
  w.key(name);
  if (r.is_null(column)) {
    w.null();
  } else {
    w.number(r.get<std::int64_t>(column));
  }
}
std::string time_of(const db::Row& row, int column) {
  return util::format_rfc3339(row.get<db::Timestamp>(column), util::TimePrecision::seconds);
}

// PEND_BLOCK_COLUMNS (repository.cpp).
void write_block(Writer& w, const db::Row& r) {
  w.begin_object().member("number", r.get<std::int64_t>(0));
  hex_member(w, "hash", r, 1);
  hex_member(w, "parent_hash", r, 2);
  w.member("timestamp", time_of(r, 3));
  address_member(w, "miner", r, 4);
  text_member(w, "gas_used", r, 5);
  text_member(w, "gas_limit", r, 6);
  text_member(w, "base_fee_per_gas", r, 7);
  w.member("transaction_count", r.get<std::int64_t>(8));
  int_member(w, "size", r, 9);
  w.member("consensus", r.get<bool>(10)).end_object();
}

// PEND_TRANSACTION_COLUMNS (repository.cpp), into an open object.
void transaction_members(Writer& w, const db::Row& r) {
  hex_member(w, "hash", r, 0);
  w.member("block_number", r.get<std::int64_t>(1));
  hex_member(w, "block_hash", r, 2);
  w.member("index", r.get<std::int64_t>(3)).member("timestamp", time_of(r, 4));
  address_member(w, "from", r, 5);
  address_member(w, "to", r, 6);
  address_member(w, "created_contract_address", r, 7);
  text_member(w, "value", r, 8);
  text_member(w, "fee", r, 22);
  w.member("nonce", r.get<std::int64_t>(9));
  text_member(w, "gas", r, 10);
  text_member(w, "gas_price", r, 11);
  text_member(w, "max_fee_per_gas", r, 12);
  text_member(w, "max_priority_fee_per_gas", r, 13);
  text_member(w, "effective_gas_price", r, 14);
  text_member(w, "gas_used", r, 15);
  text_member(w, "cumulative_gas_used", r, 16);
  w.member("type", r.get<std::int64_t>(17)).key("status");
  if (r.is_null(18)) {
    w.null();
  } else {
    w.string(r.get<std::int64_t>(18) == 1 ? "success" : "failed");
  }
  hex_member(w, "method_id", r, 19);
  hex_member(w, "input", r, 20);
  w.member("consensus", r.get<bool>(21));
}
void write_transaction(Writer& w, const db::Row& r) {
  w.begin_object();
  transaction_members(w, r);
  w.end_object();
}

void write_log(Writer& w, const db::Row& r) {
  w.begin_object().member("log_index", r.get<std::int64_t>(0));
  address_member(w, "address", r, 1);
  w.key("topics").begin_array();
  for (int c = 2; c <= 5; ++c) {
    if (!r.is_null(c)) w.string("0x", r.get<std::string_view>(c));
  }
  w.end_array();
  hex_member(w, "data", r, 6);
  w.end_object();
}

void transfer_members(Writer& w, const db::Row& r) {
  w.member("log_index", r.get<std::int64_t>(0)).member("batch_index", r.get<std::int64_t>(1));
  address_member(w, "token", r, 2);
  text_member(w, "token_type", r, 3);
  address_member(w, "from", r, 4);
  address_member(w, "to", r, 5);
  text_member(w, "amount", r, 6);
  text_member(w, "token_id", r, 7);
}
void write_transfer(Writer& w, const db::Row& r) {
  w.begin_object();
  transfer_members(w, r);
  w.end_object();
}

// PEND_TRANSFER_COLUMNS (repository.cpp): a transfer with its block and transaction.
void write_listed_transfer(Writer& w, const db::Row& r) {
  w.begin_object();
  transfer_members(w, r);
  w.member("block_number", r.get<std::int64_t>(8));
  hex_member(w, "transaction_hash", r, 9);
  w.member("timestamp", time_of(r, 10)).end_object();
}

// PEND_TOKEN_COLUMNS (repository.cpp), into an open object.
void token_members(Writer& w, const db::Row& r) {
  address_member(w, "address", r, 0);
  text_member(w, "type", r, 1);
  text_member(w, "name", r, 2);
  text_member(w, "symbol", r, 3);
  int_member(w, "decimals", r, 4);
  text_member(w, "total_supply", r, 5);
  w.member("tracked", r.get<bool>(6));
}
void write_token(Writer& w, const db::Row& r) {
  w.begin_object();
  token_members(w, r);
  w.end_object();
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out) c = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// A 0x-prefixed 32-byte hash as lowercase hex without 0x, or 400 naming the parameter.
std::string hash_param(std::string_view text, std::string_view name) {
  if (text.size() != 66 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') ||
      !is_hex(text.substr(2))) {
    throw http::ApiError::bad_request(
        "invalid_hash", std::string{name} + " must be 0x and 64 hexadecimal digits",
        json::array{json::object{{"field", name}, {"code", "invalid"}}});
  }
  return lower(text.substr(2));
}

// An address in any accepted form (all lower, all upper, or EIP-55) as lowercase hex without
// 0x, or 400 naming the parameter.
std::string address_param(std::string_view text, std::string_view name) {
  security::AddressProblem problem{};
  const auto address = security::parse_address(text, &problem);
  if (!address) {
    throw http::ApiError::bad_request(
        problem == security::AddressProblem::checksum ? "bad_checksum" : "invalid_address",
        std::string{name} + (problem == security::AddressProblem::checksum
                                 ? " is in mixed case but its EIP-55 checksum is wrong"
                                 : " must be 0x and 40 hexadecimal digits"),
        json::array{json::object{{"field", name}, {"code", "invalid"}}});
  }
  return address->lower().substr(2);
}

struct BlockId {
  std::optional<std::int64_t> number;
  std::string hash;  // lowercase hex, when not a number
};

BlockId block_param(std::string_view text) {
  BlockId id;
  if (!text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::int64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    id.number = n;
    return id;
  }
  if (text.size() == 66 && text.starts_with("0x")) {
    id.hash = hash_param(text, "number_or_hash");
    return id;
  }
  throw http::ApiError::bad_request(
      "invalid_block", "number_or_hash must be a block number or 0x and 64 hexadecimal digits",
      json::array{json::object{{"field", "number_or_hash"}, {"code", "invalid"}}});
}

// A keyset page from rows fetched with LIMIT limit + 1: the first limit rows as write_item
// writes them, and when there were more, the cursor of the last one kept (its keys, key_of).
template <typename WriteItem, typename KeyOf>
std::string keyset_page(const db::Result& rows, std::int64_t limit, WriteItem write_item,
                        KeyOf key_of) {
  std::string body;
  body.reserve(static_cast<std::size_t>(std::min<std::int64_t>(rows.rows(), limit)) * 900 + 64);
  Writer w(body);
  w.begin_object().key("items").begin_array();
  std::optional<std::string> next;
  for (int i = 0; i < rows.rows(); ++i) {
    if (i == limit) {
      next = encode_cursor(key_of(rows[i - 1]));
      break;
    }
    write_item(w, rows[i]);
  }
  w.end_array().key("next_cursor");
  if (next) {
    w.string(*next);
  } else {
    w.null();
  }
  w.end_object();
  return body;
}

std::int64_t int_key(const std::string& text) {
  std::int64_t n = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || p != text.data() + text.size()) {
    throw http::ApiError::bad_request("invalid_cursor", "the cursor is not one of this list");
  }
  return n;
}

constexpr db::Statement kUserAddress{
    "explorer.user_address",
    "SELECT lower(blockchain_address) FROM users WHERE id = $1::uuid AND status = 'active'"};

class ExplorerRoutes final : public Feature {
 public:
  explicit ExplorerRoutes(const Deps& deps)
      : database_(deps.database),
        repository_(deps.database),
        node_(deps.settings.chain),
        work_(deps.work),
        etherscan_(deps.database, node_, deps.work),
        finality_depth_(deps.settings.chain.finality_depth),
        live_(deps),
        api_keys_(deps.database, deps.rate_limit, deps.clock) {
    deps.rate_limit.resolve_clients(
        "etherscan", [this](http::RequestContext& ctx) { return api_keys_.limits_of(ctx); });
  }
  void add_routes(http::Router& router) override;
  void collect(metrics::PrometheusWriter& out) const override { live_.collect(out); }
  void stop() override { live_.stop(); }

  asio::awaitable<void> blocks(http::RequestContext& ctx);
  asio::awaitable<void> block(http::RequestContext& ctx);
  asio::awaitable<void> block_transactions(http::RequestContext& ctx);
  asio::awaitable<void> transactions(http::RequestContext& ctx);
  asio::awaitable<void> transaction(http::RequestContext& ctx);
  asio::awaitable<void> transaction_logs(http::RequestContext& ctx);
  asio::awaitable<void> stats(http::RequestContext& ctx);
  asio::awaitable<void> address(http::RequestContext& ctx);
  asio::awaitable<void> address_transactions(http::RequestContext& ctx);
  asio::awaitable<void> address_transfers(http::RequestContext& ctx);
  asio::awaitable<void> address_tokens(http::RequestContext& ctx);
  asio::awaitable<void> tokens(http::RequestContext& ctx);
  asio::awaitable<void> token(http::RequestContext& ctx);
  asio::awaitable<void> token_transfers(http::RequestContext& ctx);
  asio::awaitable<void> token_holders(http::RequestContext& ctx);
  asio::awaitable<void> search(http::RequestContext& ctx);
  asio::awaitable<void> etherscan(http::RequestContext& ctx);
  asio::awaitable<void> stream(http::RequestContext& ctx);

 private:
  // A block at this height is final: at or below the finality depth under the newest block
  // heard of. Its answers are cached for the long TTL.
  bool final_block(std::int64_t number) const {
    const auto head = live_.head();
    return head >= 0 && number <= head - static_cast<std::int64_t>(finality_depth_);
  }
  // The block a path names: the consensus one at a number, any one by hash; 404 otherwise.
  asio::awaitable<db::Result> find_block(http::RequestContext& ctx);
  asio::awaitable<db::Result> find_transaction(http::RequestContext& ctx);

  db::Database& database_;
  ExplorerRepository repository_;
  chain::NodeReader node_;
  util::WorkPool& work_;
  EtherscanApi etherscan_;
  unsigned finality_depth_;
  LiveEvents live_;
  ApiKeys api_keys_;
};

// Every answer is cached (CacheTier::chain: short, or long once final; keys carry the
// chain epoch, so a reorg retires them all).
template <typename Query>
constexpr http::RouteOptions list_options() {
  return {.cache = http::CacheTier::chain, .query = &http::schema_of<Query>(), .group = "explorer"};
}
constexpr http::RouteOptions kPointOptions{.cache = http::CacheTier::chain, .group = "explorer"};

using R = ExplorerRoutes;
using M = http::Method;

const http::RouteSpec<R> kRoutes[] = {
    {M::get, "/api/v1/explorer/blocks", &R::blocks, list_options<api::BlockListQuery>()},
    {M::get, "/api/v1/explorer/blocks/{number_or_hash}", &R::block, kPointOptions},
    {M::get, "/api/v1/explorer/blocks/{number_or_hash}/transactions", &R::block_transactions,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/transactions", &R::transactions, list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/transactions/{hash}", &R::transaction, kPointOptions},
    {M::get, "/api/v1/explorer/transactions/{hash}/logs", &R::transaction_logs,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/stats", &R::stats, kPointOptions},
    {M::get, "/api/v1/explorer/addresses/{address}", &R::address, kPointOptions},
    {M::get, "/api/v1/explorer/addresses/{address}/transactions", &R::address_transactions,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/addresses/{address}/token-transfers", &R::address_transfers,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/addresses/{address}/tokens", &R::address_tokens,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/tokens", &R::tokens, list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/tokens/{address}", &R::token, kPointOptions},
    {M::get, "/api/v1/explorer/tokens/{address}/transfers", &R::token_transfers,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/tokens/{address}/holders", &R::token_holders,
     list_options<api::PageQuery>()},
    {M::get, "/api/v1/explorer/search", &R::search, list_options<api::SearchQuery>()},
    // Etherscan's API: errors in its envelope, the same answer whoever's key asks, and the
    // form POST of the same call (never cached).
    {M::get,
     "/api",
     &R::etherscan,
     {.cache = http::CacheTier::chain,
      .query = &http::schema_of<api::EtherscanQuery>(),
      .errors = http::ErrorStyle::etherscan,
      .credential_param = "apikey",
      .group = "etherscan"}},
    {M::post,
     "/api",
     &R::etherscan,
     {.query = &http::schema_of<api::EtherscanQuery>(),
      .form_query = true,
      .errors = http::ErrorStyle::etherscan,
      .credential_param = "apikey",
      .group = "etherscan"}},
    // Server-Sent Events: never cached; a signed-in user's own transfers too.
    {M::get, "/api/v1/explorer/stream", &R::stream, {.group = "explorer"}},
};

void ExplorerRoutes::add_routes(http::Router& router) {
  http::add_routes<ExplorerRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> ExplorerRoutes::blocks(http::RequestContext& ctx) {
  const auto query = http::read_query<api::BlockListQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto scope = db::request_scope(ctx);
  const bool replaced = query.type.has_value();
  const auto keys = decode_cursor(query.cursor, replaced ? 2 : 1);
  std::optional<std::int64_t> after;
  if (!keys[0].empty()) after = int_key(keys[0]);
  // (No co_await inside ?: : GCC 12 miscompiles it.)
  db::Result rows;
  if (replaced) {
    rows = co_await repository_.replaced_blocks(after, keys[1], limit + 1, scope);
  } else {
    rows = co_await repository_.blocks(after, limit + 1, scope);
  }
  auto body =
      keyset_page(rows, limit, write_block, [&](const db::Row& last) -> std::vector<std::string> {
        if (replaced) return {std::to_string(last.get<std::int64_t>(0)), last.get<std::string>(1)};
        return {std::to_string(last.get<std::int64_t>(0))};
      });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<db::Result> ExplorerRoutes::find_block(http::RequestContext& ctx) {
  const auto id = block_param(ctx.match.params.get("number_or_hash"));
  const auto scope = db::request_scope(ctx);
  db::Result rows;
  if (id.number) {
    rows = co_await repository_.block_by_number(*id.number, scope);
  } else {
    rows = co_await repository_.block_by_hash(id.hash, scope);
  }
  if (rows.empty()) throw DomainError::not_found("no such block");
  co_return rows;
}

asio::awaitable<void> ExplorerRoutes::block(http::RequestContext& ctx) {
  const auto rows = co_await find_block(ctx);
  ctx.cache_final = rows[0].get<bool>(10) && final_block(rows[0].get<std::int64_t>(0));
  std::string body;
  Writer w(body);
  write_block(w, rows[0]);
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::block_transactions(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto keys = decode_cursor(query.cursor, 1);
  const std::int64_t after = keys[0].empty() ? -1 : int_key(keys[0]);
  const auto block = co_await find_block(ctx);
  ctx.cache_final = block[0].get<bool>(10) && final_block(block[0].get<std::int64_t>(0));
  const auto rows = co_await repository_.block_transactions(block[0].get<std::string>(1), after,
                                                            limit + 1, db::request_scope(ctx));
  auto body = keyset_page(rows, limit, write_transaction,
                          [&](const db::Row& last) -> std::vector<std::string> {
                            return {std::to_string(last.get<std::int64_t>(3))};
                          });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::transactions(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto keys = decode_cursor(query.cursor, 2);
  const std::int64_t block =
      keys[0].empty() ? std::numeric_limits<std::int64_t>::max() : int_key(keys[0]);
  const std::int64_t index =
      keys[1].empty() ? std::numeric_limits<std::int32_t>::max() : int_key(keys[1]);
  const auto rows =
      co_await repository_.transactions(block, index, limit + 1, db::request_scope(ctx));
  auto body = keyset_page(rows, limit, write_transaction,
                          [&](const db::Row& last) -> std::vector<std::string> {
                            return {std::to_string(last.get<std::int64_t>(1)),
                                    std::to_string(last.get<std::int64_t>(3))};
                          });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<db::Result> ExplorerRoutes::find_transaction(http::RequestContext& ctx) {
  const auto hash = hash_param(ctx.match.params.get("hash"), "hash");
  auto rows = co_await repository_.transaction(hash, db::request_scope(ctx));
  if (rows.empty()) throw DomainError::not_found("no such transaction");
  // PEND_TRANSACTION_COLUMNS: 1 block number, 21 consensus.
  ctx.cache_final = rows[0].get<bool>(21) && final_block(rows[0].get<std::int64_t>(1));
  co_return rows;
}

asio::awaitable<void> ExplorerRoutes::transaction(http::RequestContext& ctx) {
  const auto rows = co_await find_transaction(ctx);
  const auto scope = db::request_scope(ctx);
  const auto hash = rows[0].get<std::string>(0);
  const auto block_hash = rows[0].get<std::string>(2);
  const auto logs = co_await repository_.logs(hash, block_hash, -1,
                                              std::numeric_limits<std::int32_t>::max(), scope);
  const auto transfers = co_await repository_.transfers(hash, block_hash, scope);
  std::string body;
  Writer w(body);
  w.begin_object();
  transaction_members(w, rows[0]);
  w.key("logs").begin_array();
  for (int i = 0; i < logs.rows(); ++i) write_log(w, logs[i]);
  w.end_array().key("token_transfers").begin_array();
  for (int i = 0; i < transfers.rows(); ++i) write_transfer(w, transfers[i]);
  w.end_array().end_object();
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::transaction_logs(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto keys = decode_cursor(query.cursor, 1);
  const std::int64_t after = keys[0].empty() ? -1 : int_key(keys[0]);
  const auto tx = co_await find_transaction(ctx);
  const auto rows = co_await repository_.logs(tx[0].get<std::string>(0), tx[0].get<std::string>(2),
                                              after, limit + 1, db::request_scope(ctx));
  auto body =
      keyset_page(rows, limit, write_log, [&](const db::Row& last) -> std::vector<std::string> {
        return {std::to_string(last.get<std::int64_t>(0))};
      });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::stats(http::RequestContext& ctx) {
  const auto rows = co_await repository_.stats(db::request_scope(ctx));
  if (rows.empty()) {
    // The indexer has not run yet.
    ctx.json(200, json::object{{"head_block", nullptr},
                               {"indexed_block", nullptr},
                               {"lag_blocks", nullptr},
                               {"status", "not_started"},
                               {"chain_id", nullptr},
                               {"reorgs", 0},
                               {"deepest_reorg", 0},
                               {"updated_at", nullptr},
                               {"transactions_total", 0},
                               {"transactions_today", 0},
                               {"average_block_time_seconds", nullptr}});
    co_return;
  }
  const auto r = rows[0];
  const auto head = r.opt<std::int64_t>(0);
  const std::int64_t indexed = r.get<std::int64_t>(1) - 1;
  json::value lag = nullptr;
  std::string status = "indexing";
  if (head) {
    const std::int64_t behind = std::max<std::int64_t>(0, *head - indexed);
    lag = behind;
    status = behind == 0 ? "synced" : "catching_up";
  }
  json::value average = nullptr;
  if (!r.is_null(8)) average = r.get<double>(8);
  ctx.json(200, json::object{{"head_block", head ? json::value(*head) : json::value(nullptr)},
                             {"indexed_block", indexed >= 0 ? json::value(indexed) : nullptr},
                             {"lag_blocks", lag},
                             {"status", status},
                             {"chain_id", r.is_null(2) ? json::value(nullptr)
                                                       : json::value(r.get<std::int64_t>(2))},
                             {"reorgs", r.get<std::int64_t>(3)},
                             {"deepest_reorg", r.get<std::int64_t>(4)},
                             {"updated_at", util::format_rfc3339(r.get<db::Timestamp>(5))},
                             {"transactions_total", r.get<std::int64_t>(6)},
                             {"transactions_today", r.get<std::int64_t>(7)},
                             {"average_block_time_seconds", average}});
}

// A page of transfers keyed (block number, log index, batch index).
std::string transfer_page(const db::Result& rows, std::int64_t limit) {
  return keyset_page(rows, limit, write_listed_transfer,
                     [](const db::Row& last) -> std::vector<std::string> {
                       return {std::to_string(last.get<std::int64_t>(8)),
                               std::to_string(last.get<std::int64_t>(0)),
                               std::to_string(last.get<std::int64_t>(1))};
                     });
}

struct TransferKey {
  std::int64_t block, log, batch;
};
TransferKey transfer_key(const std::optional<std::string>& cursor) {
  const auto keys = decode_cursor(cursor, 3);
  if (keys[0].empty()) {
    return {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int32_t>::max(),
            std::numeric_limits<std::int32_t>::max()};
  }
  return {int_key(keys[0]), int_key(keys[1]), int_key(keys[2])};
}

asio::awaitable<void> ExplorerRoutes::address(http::RequestContext& ctx) {
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto rows = co_await repository_.address_summary(hex, db::request_scope(ctx));
  const auto r = rows[0];
  const auto transactions = r.get<std::int64_t>(0);
  const auto transfers = r.get<std::int64_t>(1);
  const bool contract = r.get<bool>(4);
  const bool stored_balance = !r.is_null(5);
  if (transactions == 0 && transfers == 0 && !contract && !stored_balance && !r.get<bool>(7)) {
    throw DomainError::not_found("the index knows nothing of this address");
  }
  json::object balance{{"value", nullptr}, {"block_number", nullptr}, {"source", nullptr}};
  if (stored_balance) {
    balance = {{"value", r.get<std::string>(5)},
               {"block_number", r.get<std::int64_t>(6)},
               {"source", "index"}};
  } else {
    auto read = [this, hex] { return node_.balance(hex); };
    if (const auto live = co_await work_.run(std::move(read))) {
      balance = {{"value", live->value},
                 {"block_number", static_cast<std::int64_t>(live->block)},
                 {"source", "node"}};
    }
  }
  ctx.json(200,
           json::object{
               {"address", security::to_checksum(hex)},
               {"is_contract", contract},
               {"coin_balance", std::move(balance)},
               {"transactions", transactions},
               {"token_transfers", transfers},
               {"first_seen", r.is_null(2) ? json::value(nullptr) : json::value(time_of(r, 2))},
               {"last_seen", r.is_null(3) ? json::value(nullptr) : json::value(time_of(r, 3))}});
}

asio::awaitable<void> ExplorerRoutes::address_transactions(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto keys = decode_cursor(query.cursor, 2);
  const std::int64_t block =
      keys[0].empty() ? std::numeric_limits<std::int64_t>::max() : int_key(keys[0]);
  const std::int64_t index =
      keys[1].empty() ? std::numeric_limits<std::int32_t>::max() : int_key(keys[1]);
  const auto rows = co_await repository_.address_transactions(hex, block, index, limit + 1,
                                                              db::request_scope(ctx));
  auto body = keyset_page(rows, limit, write_transaction,
                          [&](const db::Row& last) -> std::vector<std::string> {
                            return {std::to_string(last.get<std::int64_t>(1)),
                                    std::to_string(last.get<std::int64_t>(3))};
                          });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::address_transfers(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto key = transfer_key(query.cursor);
  const auto rows = co_await repository_.address_transfers(hex, key.block, key.log, key.batch,
                                                           limit + 1, db::request_scope(ctx));
  ctx.json_text(200, transfer_page(rows, limit));
}

asio::awaitable<void> ExplorerRoutes::address_tokens(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto keys = decode_cursor(query.cursor, 2);
  const std::string after_token = keys[0].empty() ? std::string{} : keys[0];
  const std::string after_id = keys[1].empty() ? std::string{"-1"} : keys[1];
  if (!is_hex(after_token) || after_token.size() % 2 != 0) {
    throw http::ApiError::bad_request("invalid_cursor", "the cursor is not one of this list");
  }
  const auto rows = co_await repository_.address_tokens(hex, after_token, after_id, limit + 1,
                                                        db::request_scope(ctx));
  auto body = keyset_page(
      rows, limit,
      [&](Writer& w, const db::Row& r) {
        w.begin_object();
        address_member(w, "token", r, 0);
        text_member(w, "token_id", r, 1);
        text_member(w, "value", r, 2);
        w.member("block_number", r.get<std::int64_t>(3));
        text_member(w, "type", r, 4);
        text_member(w, "name", r, 5);
        text_member(w, "symbol", r, 6);
        int_member(w, "decimals", r, 7);
        w.end_object();
      },
      [&](const db::Row& last) -> std::vector<std::string> {
        return {last.get<std::string>(0), last.get<std::string>(1)};
      });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::tokens(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto keys = decode_cursor(query.cursor, 1);
  if (!is_hex(keys[0]) || keys[0].size() % 2 != 0) {
    throw http::ApiError::bad_request("invalid_cursor", "the cursor is not one of this list");
  }
  const auto rows = co_await repository_.tokens(keys[0], limit + 1, db::request_scope(ctx));
  auto body = keyset_page(
      rows, limit, write_token,
      [&](const db::Row& last) -> std::vector<std::string> { return {last.get<std::string>(0)}; });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::token(http::RequestContext& ctx) {
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto rows = co_await repository_.token(hex, db::request_scope(ctx));
  if (rows.empty()) throw DomainError::not_found("no such token");
  std::string body;
  Writer w(body);
  w.begin_object();
  token_members(w, rows[0]);
  w.member("holders", rows[0].get<std::int64_t>(7))
      .member("transfers", rows[0].get<std::int64_t>(8))
      .end_object();
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::token_transfers(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto key = transfer_key(query.cursor);
  const auto rows = co_await repository_.token_transfers(hex, key.block, key.log, key.batch,
                                                         limit + 1, db::request_scope(ctx));
  ctx.json_text(200, transfer_page(rows, limit));
}

asio::awaitable<void> ExplorerRoutes::token_holders(http::RequestContext& ctx) {
  const auto query = http::read_query<api::PageQuery>(ctx);
  const auto limit = page_limit(query.limit, kDefaultLimit, kMaxLimit);
  const auto hex = address_param(ctx.match.params.get("address"), "address");
  const auto keys = decode_cursor(query.cursor, 2);
  // The first page starts above any balance: 2^256.
  const std::string after_value =
      keys[0].empty() ? std::string{"115792089237316195423570985008687907853269984665640564039457584007913129639936"}
                      : keys[0];
  const std::string after_address = keys[0].empty() ? std::string(40, 'f') : keys[1];
  if (!chain::U256::from_decimal(after_value) && !keys[0].empty()) {
    throw http::ApiError::bad_request("invalid_cursor", "the cursor is not one of this list");
  }
  if (!is_hex(after_address) || after_address.size() != 40) {
    throw http::ApiError::bad_request("invalid_cursor", "the cursor is not one of this list");
  }
  const auto rows = co_await repository_.token_holders(hex, after_value, after_address, limit + 1,
                                                       db::request_scope(ctx));
  auto body = keyset_page(
      rows, limit,
      [&](Writer& w, const db::Row& r) {
        w.begin_object();
        address_member(w, "address", r, 0);
        text_member(w, "token_id", r, 1);
        text_member(w, "value", r, 2);
        w.member("block_number", r.get<std::int64_t>(3)).end_object();
      },
      [&](const db::Row& last) -> std::vector<std::string> {
        return {last.get<std::string>(2), last.get<std::string>(0)};
      });
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::etherscan(http::RequestContext& ctx) {
  const auto query = http::read_query<api::EtherscanQuery>(ctx);
  ctx.json_text(200, co_await etherscan_.answer(query, db::request_scope(ctx)));
}

asio::awaitable<void> ExplorerRoutes::search(http::RequestContext& ctx) {
  const auto query = http::read_query<api::SearchQuery>(ctx);
  const auto scope = db::request_scope(ctx);
  const std::string q{query.q.value_or("")};
  std::string body;
  Writer w(body);
  w.begin_object().member("query", q).key("items").begin_array();
  // One result: {"type": kind, kind: the object}.
  const auto found = [&w](std::string_view kind, auto write, const db::Row& row) {
    w.begin_object().member("type", kind).key(kind);
    write(w, row);
    w.end_object();
  };
  const bool digits = !q.empty() && q.size() <= 18 &&
                      std::all_of(q.begin(), q.end(), [](char c) { return c >= '0' && c <= '9'; });
  const bool hex_prefix = q.size() > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
  if (digits) {
    const auto rows = co_await repository_.block_by_number(int_key(q), scope);
    if (!rows.empty()) found("block", write_block, rows[0]);
  } else if (hex_prefix && q.size() == 66 && is_hex(q.substr(2))) {
    const auto hash = lower(q.substr(2));
    const auto blocks = co_await repository_.block_by_hash(hash, scope);
    if (!blocks.empty()) found("block", write_block, blocks[0]);
    const auto txs = co_await repository_.transaction(hash, scope);
    if (!txs.empty()) found("transaction", write_transaction, txs[0]);
  } else if (hex_prefix && q.size() == 42 && is_hex(q.substr(2))) {
    const auto hex = address_param(q, "q");
    const auto tokens = co_await repository_.token(hex, scope);
    if (!tokens.empty()) found("token", write_token, tokens[0]);
    w.begin_object().member("type", "address").member("address", security::to_checksum(hex));
    w.end_object();
  } else {
    // A symbol or name prefix: LIKE's own characters taken literally.
    std::string pattern;
    for (const char c : q) {
      if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
      pattern.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    pattern.push_back('%');
    const auto rows = co_await repository_.tokens_named(pattern, 10, scope);
    for (int i = 0; i < rows.rows(); ++i) found("token", write_token, rows[i]);
  }
  w.end_array().end_object();
  ctx.json_text(200, std::move(body));
}

asio::awaitable<void> ExplorerRoutes::stream(http::RequestContext& ctx) {
  // A token that does not resolve is refused rather than served as anonymous: the client
  // would otherwise wait for transfers that never come.
  if (ctx.auth == http::AuthState::invalid) {
    throw http::ApiError::unauthorized("the session token is not valid");
  }
  if (ctx.auth == http::AuthState::unavailable) {
    throw http::ApiError::service_unavailable("sessions cannot be checked now", 1);
  }
  std::string wallet;
  if (ctx.principal.kind == http::Principal::Kind::user) {
    const auto rows =
        co_await database_.query(kUserAddress, db::request_scope(ctx), ctx.principal.id);
    if (!rows.empty() && !rows[0].is_null(0)) {
      wallet = rows[0].get<std::string>(0);
      if (wallet.starts_with("0x")) wallet.erase(0, 2);
    }
  }
  const std::string last_id{ctx.request["Last-Event-ID"]};
  auto events = co_await live_.open(std::move(wallet), last_id);
  if (!events) {
    http::ApiError full(503, "stream_capacity", "this instance has all the live streams it takes");
    full.with_header("Retry-After", "5");
    throw full;
  }
  ctx.response.result(200);
  ctx.response.set(boost::beast::http::field::content_type, "text/event-stream; charset=utf-8");
  ctx.response.set("X-Accel-Buffering", "no");  // nginx: pass each event on at once
  ctx.response_stream = std::move(events);
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<ExplorerRoutes>(deps);
}

}  // namespace pend::domain::explorer
