#include "domain/explorer/etherscan.hpp"

#include "chain/quantity.hpp"
#include "security/evm_address.hpp"
#include "util/hex.hpp"
#include "util/json.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <variant>

namespace pend::domain::explorer {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Etherscan's result window: page × offset may not go past it.
constexpr std::int64_t kWindow = 10'000;
constexpr std::size_t kMaxMulti = 20;

using util::json::Writer;

// Each answer is the body's JSON text: list answers are written row by row (util::json::Writer)
// rather than built as a boost::json::value first, which cost more than the rest of the
// request (docs/benchmarks.md, the explorer).
std::string ok(const json::value& result) {
  std::string body;
  Writer(body)
      .begin_object()
      .member("status", "1")
      .member("message", "OK")
      .key("result")
      .value(result)
      .end_object();
  return body;
}
std::string notok(std::string_view reason) {
  std::string body;
  Writer(body)
      .begin_object()
      .member("status", "0")
      .member("message", "NOTOK")
      .member("result", reason)
      .end_object();
  return body;
}
std::string none(std::string_view message = "No transactions found") {
  std::string body;
  Writer(body)
      .begin_object()
      .member("status", "0")
      .member("message", message)
      .key("result")
      .begin_array()
      .end_array()
      .end_object();
  return body;
}
// The envelope Etherscan's clients read the result window's refusal from: the text in
// message, result null.
std::string window_too_large() {
  std::string body;
  Writer(body)
      .begin_object()
      .member("status", "0")
      .member("message",
              "Result window is too large, PageNo x Offset size must be less than or equal to "
              "10000")
      .member("result", nullptr)
      .end_object();
  return body;
}
// {"status":"1","message":"OK","result":[...]} with an item per row, or none() for no rows.
template <typename WriteItem>
std::string ok_list(const db::Result& rows, WriteItem write_item) {
  if (rows.empty()) return none();
  std::string body;
  body.reserve(static_cast<std::size_t>(rows.rows()) * 900 + 64);
  Writer w(body);
  w.begin_object().member("status", "1").member("message", "OK").key("result").begin_array();
  for (int i = 0; i < rows.rows(); ++i) write_item(w, rows[i]);
  w.end_array().end_object();
  return body;
}

// Etherscan writes addresses and hashes in lower case.
std::string hex0x(const db::Row& row, int column) {
  return row.is_null(column) ? std::string{} : "0x" + row.get<std::string>(column);
}
std::string text(const db::Row& row, int column) {
  return row.is_null(column) ? std::string{} : row.get<std::string>(column);
}
std::string number(const db::Row& row, int column) {
  return row.is_null(column) ? std::string{} : std::to_string(row.get<std::int64_t>(column));
}
std::string seconds(const db::Row& row, int column) {
  const auto t = row.get<db::Timestamp>(column);
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::optional<std::int64_t> integer(const std::optional<std::string>& text, std::int64_t fallback) {
  if (!text || text->empty()) return fallback;
  std::int64_t n = 0;
  const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc{} || p != text->data() + text->size() || n < 0) return std::nullopt;
  return n;
}

// A lowercase hex address without 0x, or nullopt.
std::optional<std::string> address_of(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const auto parsed = security::parse_address(*text);
  if (!parsed) return std::nullopt;
  return parsed->lower().substr(2);
}

// "latest", or a block number (decimal or 0x hex) as a quantity for the node.
std::optional<std::string> tag_of(const std::optional<std::string>& tag) {
  if (!tag || tag->empty() || *tag == "latest") return std::string{"latest"};
  if (*tag == "earliest" || *tag == "pending") return *tag;
  if (tag->starts_with("0x")) {
    if (const auto n = chain::quantity_u64(*tag)) return chain::to_quantity(*n);
    return std::nullopt;
  }
  if (const auto n = integer(tag, 0)) return chain::to_quantity(static_cast<std::uint64_t>(*n));
  return std::nullopt;
}

// The columns write_transaction_item reads, in this order.
#define PEND_ETHERSCAN_TX                                                                      \
  "t.block_number, t.block_timestamp, encode(t.hash, 'hex'), t.nonce, encode(t.block_hash, "   \
  "'hex'), t.index, encode(t.from_address, 'hex'), encode(t.to_address, 'hex'), "              \
  "t.value::text, t.gas::text, coalesce(t.gas_price, t.effective_gas_price)::text, t.status, " \
  "encode(t.input, 'hex'), encode(t.created_contract_address, 'hex'), "                        \
  "t.cumulative_gas_used::text, t.gas_used::text, encode(t.method_id, 'hex')"
// Each branch reads at most the window's rows (limit + offset) through its own index
// (idx_transactions_from, _to, _created), so a busy address costs what the page asks for,
// not what the address holds; a later branch leaves out what an earlier one finds (a
// transaction to oneself), so UNION ALL needs no deduplication. The address is matched as
// `= ANY (ARRAY[...])` and leads the ORDER BY (in the direction that reads the index in
// order: KEY is the opposite of ORDER for ascending lists): an equality would let the planner
// drop that column from the order, and a generic plan (the statements are prepared) would
// then walk idx_transactions_latest through the whole table for an address that is rarely a
// recipient (50 ms, against 0.1 ms; docs/benchmarks.md, the explorer).
#define PEND_ADDRESS_IS(COLUMN, PARAM) COLUMN " = ANY (ARRAY[decode(" PARAM ", 'hex')])"
// The index's head, for the confirmations, read once with the list (the column after the
// item's own).
#define PEND_ETHERSCAN_HEAD "(SELECT coalesce(max(number), -1) FROM blocks WHERE consensus)"
#define PEND_ETHERSCAN_TXBRANCH(COLUMN, EXCEPT, ORDER, KEY)                                      \
  "(SELECT " PEND_ETHERSCAN_TX                                                                   \
  " FROM transactions t WHERE t.block_consensus AND " PEND_ADDRESS_IS(COLUMN, "$1") EXCEPT       \
      " AND t.block_number BETWEEN $2 AND $3 ORDER BY " COLUMN " " KEY ", t.block_number " ORDER \
      ", t.index " ORDER " LIMIT $4::bigint + $5::bigint)"
#define PEND_ETHERSCAN_TXLIST(ORDER, KEY)                                                         \
  "SELECT u.*, " PEND_ETHERSCAN_HEAD " FROM (" PEND_ETHERSCAN_TXBRANCH(                           \
      "t.from_address", "", ORDER,                                                                \
      KEY) " UNION ALL " PEND_ETHERSCAN_TXBRANCH("t.to_address",                                  \
                                                 " AND t.from_address <> decode($1, 'hex')",      \
                                                 ORDER,                                           \
                                                 KEY) " UNION ALL (SELECT " PEND_ETHERSCAN_TX     \
                                                      " FROM transactions t WHERE "               \
                                                      "t.block_consensus AND "                    \
                                                      "t.created_contract_address = decode($1, "  \
                                                      "'hex') AND t.from_address <> decode($1, "  \
                                                      "'hex') "                                   \
                                                      "AND t.block_number BETWEEN $2 AND $3)) u " \
                                                      "ORDER BY 1 " ORDER ", 6 " ORDER            \
                                                      " LIMIT $4 OFFSET $5"

// Run with their generic plan (db::Statement::generic_plan): its window is the one the query
// text describes, while each custom plan is made anew for its values and costs more to make
// than the query costs to run (docs/architecture/database.md, "Generic plans").
constexpr db::Statement kTxListAsc{.name = "etherscan.txlist_asc",
                                   .sql = PEND_ETHERSCAN_TXLIST("ASC", "DESC"),
                                   .generic_plan = true};
constexpr db::Statement kTxListDesc{.name = "etherscan.txlist_desc",
                                    .sql = PEND_ETHERSCAN_TXLIST("DESC", "ASC"),
                                    .generic_plan = true};

// Token transfers of one standard, by holder (from or to) and/or token contract: a branch
// per index (the holder as sender, as recipient, or the token alone), each reading at most the
// window's rows, matched and ordered as txlist's branches are; the recipient branch leaves
// out transfers to oneself, which the sender branch has. log_index and batch_index end each
// row for the order.
#define PEND_ETHERSCAN_TOKENTX_BRANCH(COLUMN, PARAM, WHERE, ORDER, KEY)                          \
  "(SELECT x.block_number, x.block_timestamp, encode(x.transaction_hash, 'hex'), t.nonce, "      \
  "encode(x.block_hash, 'hex'), encode(x.from_address, 'hex'), encode(x.token_address, "         \
  "'hex'), encode(x.to_address, 'hex'), x.amount::text, x.token_id::text, k.name, k.symbol, "    \
  "k.decimals, t.index, t.gas::text, coalesce(t.gas_price, t.effective_gas_price)::text, "       \
  "t.gas_used::text, t.cumulative_gas_used::text, encode(t.input, 'hex'), "                      \
  "encode(t.method_id, 'hex'), x.log_index, x.batch_index "                                      \
  "FROM token_transfers x JOIN transactions t ON t.hash = x.transaction_hash AND "               \
  "t.block_hash = x.block_hash LEFT JOIN tokens k ON k.contract_address = x.token_address "      \
  "WHERE x.block_consensus AND x.token_type = $1 AND " PEND_ADDRESS_IS(COLUMN, PARAM) WHERE      \
      " AND x.block_number BETWEEN $4 AND $5 ORDER BY " COLUMN " " KEY ", x.block_number " ORDER \
      ", x.log_index " ORDER ", x.batch_index " ORDER " LIMIT $6::bigint + $7::bigint)"
#define PEND_ETHERSCAN_TOKEN_IS " AND ($3::text IS NULL OR x.token_address = decode($3, 'hex'))"
#define PEND_ETHERSCAN_TOKENTX(ORDER, KEY) \
  "SELECT u.*, " PEND_ETHERSCAN_HEAD " FROM (" PEND_ETHERSCAN_TOKENTX_BRANCH("x.from_address", "$2",                      \
                                                  PEND_ETHERSCAN_TOKEN_IS, ORDER, KEY)         \
  " UNION ALL " PEND_ETHERSCAN_TOKENTX_BRANCH(                                               \
      "x.to_address", "$2", PEND_ETHERSCAN_TOKEN_IS " AND x.from_address <> decode($2, 'hex')", \
      ORDER, KEY)                                                                              \
  " UNION ALL " PEND_ETHERSCAN_TOKENTX_BRANCH("x.token_address", "$3", " AND $2::text IS NULL", \
                                              ORDER, KEY)                                      \
  ") u ORDER BY 1 " ORDER ", 21 " ORDER ", 22 " ORDER " LIMIT $6 OFFSET $7"

// Generic plans too: a custom plan for a busy holder joined every one of its transfers before
// sorting them (200-440 ms for 20,000 transfers), the generic one reads the window (1 ms).
constexpr db::Statement kTokenTxAsc{.name = "etherscan.tokentx_asc",
                                    .sql = PEND_ETHERSCAN_TOKENTX("ASC", "DESC"),
                                    .generic_plan = true};
constexpr db::Statement kTokenTxDesc{.name = "etherscan.tokentx_desc",
                                     .sql = PEND_ETHERSCAN_TOKENTX("DESC", "ASC"),
                                     .generic_plan = true};

constexpr db::Statement kReceiptStatus{
    "etherscan.receipt_status",
    "SELECT status FROM transactions WHERE hash = decode($1, 'hex') "
    "ORDER BY block_consensus DESC, block_number DESC LIMIT 1"};
constexpr db::Statement kBlockBefore{
    "etherscan.block_before",
    "SELECT number FROM blocks WHERE consensus AND timestamp <= to_timestamp($1) "
    "ORDER BY timestamp DESC, number DESC LIMIT 1"};
constexpr db::Statement kBlockAfter{
    "etherscan.block_after",
    "SELECT number FROM blocks WHERE consensus AND timestamp >= to_timestamp($1) "
    "ORDER BY timestamp, number LIMIT 1"};
// getblockreward: what the block's producer was paid, the priority fees of its transactions
// (a post-merge chain issues no block subsidy; the burnt base fee is nobody's reward).
constexpr db::Statement kBlockReward{
    "etherscan.block_reward",
    "SELECT b.number, b.timestamp, encode(b.miner, 'hex'), coalesce(sum(t.gas_used * "
    "(coalesce(t.effective_gas_price, t.gas_price) - coalesce(b.base_fee_per_gas, 0))), 0)::text "
    "FROM blocks b LEFT JOIN transactions t ON t.block_hash = b.hash "
    "WHERE b.number = $1 AND b.consensus GROUP BY b.hash"};
constexpr db::Statement kHead{
    "etherscan.head", "SELECT coalesce((SELECT max(number) FROM blocks WHERE consensus), -1)"};

// getLogs: every given topic matching ($8 false), or any of them ($8 true).
constexpr db::Statement kLogs{
    "etherscan.logs",
    "SELECT encode(l.address, 'hex'), encode(l.topic0, 'hex'), encode(l.topic1, 'hex'), "
    "encode(l.topic2, 'hex'), encode(l.topic3, 'hex'), encode(l.data, 'hex'), l.block_number, "
    "encode(l.block_hash, 'hex'), t.block_timestamp, coalesce(t.gas_price, "
    "t.effective_gas_price)::text, t.gas_used::text, l.log_index, "
    "encode(l.transaction_hash, 'hex'), l.transaction_index "
    "FROM logs l JOIN transactions t ON t.hash = l.transaction_hash AND t.block_hash = "
    "l.block_hash WHERE l.block_consensus AND l.block_number BETWEEN $1 AND $2 AND "
    "($3::text IS NULL OR l.address = decode($3, 'hex')) AND CASE WHEN $8 THEN "
    "($4::text IS NOT NULL AND l.topic0 = decode($4, 'hex')) OR ($5::text IS NOT NULL AND "
    "l.topic1 = decode($5, 'hex')) OR ($6::text IS NOT NULL AND l.topic2 = decode($6, 'hex')) "
    "OR ($7::text IS NOT NULL AND l.topic3 = decode($7, 'hex')) ELSE "
    "($4::text IS NULL OR l.topic0 = decode($4, 'hex')) AND ($5::text IS NULL OR l.topic1 = "
    "decode($5, 'hex')) AND ($6::text IS NULL OR l.topic2 = decode($6, 'hex')) AND ($7::text "
    "IS NULL OR l.topic3 = decode($7, 'hex')) END "
    "ORDER BY l.block_number, l.log_index LIMIT $9 OFFSET $10"};

#undef PEND_ETHERSCAN_TX
#undef PEND_ETHERSCAN_TXLIST
#undef PEND_ETHERSCAN_HEAD
#undef PEND_ETHERSCAN_TOKENTX

// getLogs' numbers: hex quantities, zero as "0x" (as Etherscan writes them).
std::string hex_quantity(std::uint64_t n) { return n == 0 ? "0x" : chain::to_quantity(n); }
std::string hex_decimal(const std::string& decimal) {
  const auto value = chain::U256::from_decimal(decimal);
  if (!value || value->is_zero()) return "0x";
  return value->hex();
}

std::string confirmations(std::int64_t head, std::int64_t block) {
  return std::to_string(std::max<std::int64_t>(0, head - block + 1));
}

// A 0x-prefixed hex column; "" for NULL, as Etherscan writes a missing value. Etherscan
// writes addresses and hashes in lower case.
void hex_member(Writer& w, std::string_view name, const db::Row& r, int column) {
  w.key(name);
  if (r.is_null(column)) {
    w.string("");
  } else {
    w.string("0x", r.get<std::string_view>(column));
  }
}
// A method id: "0x" when there is none.
void method_member(Writer& w, const db::Row& r, int column) {
  w.key("methodId").string("0x", r.is_null(column) ? "" : r.get<std::string_view>(column));
}
// A text column; "" for NULL.
void text_member(Writer& w, std::string_view name, const db::Row& r, int column) {
  w.key(name).string(r.is_null(column) ? "" : r.get<std::string_view>(column));
}

// txlist's item, in the order of Etherscan's current documentation (docs.etherscan.io,
// /api-reference/endpoint/txlist).
void write_transaction_item(Writer& w, const db::Row& r, std::int64_t head) {
  const auto block = r.get<std::int64_t>(0);
  const auto status = r.opt<std::int64_t>(11);
  w.begin_object().member("blockNumber", std::to_string(block));
  hex_member(w, "blockHash", r, 4);
  w.member("timeStamp", seconds(r, 1));
  hex_member(w, "hash", r, 2);
  w.member("nonce", number(r, 3)).member("transactionIndex", number(r, 5));
  hex_member(w, "from", r, 6);
  hex_member(w, "to", r, 7);
  text_member(w, "value", r, 8);
  text_member(w, "gas", r, 9);
  text_member(w, "gasPrice", r, 10);
  hex_member(w, "input", r, 12);
  method_member(w, r, 16);
  w.member("functionName", "");
  hex_member(w, "contractAddress", r, 13);
  text_member(w, "cumulativeGasUsed", r, 14);
  w.member("txreceipt_status", status ? std::to_string(*status) : std::string{});
  text_member(w, "gasUsed", r, 15);
  w.member("confirmations", confirmations(head, block))
      .member("isError", status && *status == 0 ? "1" : "0")
      .end_object();
}

// tokentx's and tokennfttx's items.
void write_transfer_item(Writer& w, const db::Row& r, std::int64_t head, bool nft) {
  const auto block = r.get<std::int64_t>(0);
  w.begin_object().member("blockNumber", std::to_string(block)).member("timeStamp", seconds(r, 1));
  hex_member(w, "hash", r, 2);
  w.member("nonce", number(r, 3));
  hex_member(w, "blockHash", r, 4);
  hex_member(w, "from", r, 5);
  hex_member(w, "contractAddress", r, 6);
  hex_member(w, "to", r, 7);
  if (nft) {
    text_member(w, "tokenID", r, 9);
  } else {
    text_member(w, "value", r, 8);
  }
  text_member(w, "tokenName", r, 10);
  text_member(w, "tokenSymbol", r, 11);
  w.member("tokenDecimal", nft ? std::string{"0"} : number(r, 12))
      .member("transactionIndex", number(r, 13));
  text_member(w, "gas", r, 14);
  text_member(w, "gasPrice", r, 15);
  text_member(w, "gasUsed", r, 16);
  text_member(w, "cumulativeGasUsed", r, 17);
  w.member("input", "deprecated");
  method_member(w, r, 19);
  w.member("functionName", "").member("confirmations", confirmations(head, block)).end_object();
}

struct Paging {
  std::int64_t start = 0, end = std::numeric_limits<std::int64_t>::max();
  std::int64_t limit = kWindow, offset = 0;
  bool descending = false;
};

// Etherscan's paging parameters, or the NOTOK answer for them.
std::variant<Paging, std::string> paging(const api::EtherscanQuery& q) {
  Paging p;
  const auto start = integer(q.startblock, 0);
  const auto end = integer(q.endblock, std::numeric_limits<std::int64_t>::max());
  if (!start || !end) return notok("Error! Invalid block number");
  p.start = *start;
  p.end = *end;
  const auto page = integer(q.page, 1);
  const auto offset = integer(q.offset, 0);
  if (!page || !offset) return notok("Error! Invalid page or offset");
  if (*offset > 0) {
    const std::int64_t pg = std::max<std::int64_t>(*page, 1);
    if (pg > kWindow || pg * *offset > kWindow) {
      return window_too_large();
    }
    p.limit = *offset;
    p.offset = (pg - 1) * *offset;
  }
  if (q.sort && *q.sort != "asc" && *q.sort != "desc")
    return notok("Error! Invalid sort order, use asc or desc");
  p.descending = q.sort && *q.sort == "desc";
  return p;
}

}  // namespace

asio::awaitable<chain::NodeReader::Answer> EtherscanApi::node_call(std::string method,
                                                                   json::array params) {
  auto work = [this, method = std::move(method), params = std::move(params)]() mutable {
    return node_.call(method, std::move(params));
  };
  co_return co_await work_.run(std::move(work));
}

asio::awaitable<std::int64_t> EtherscanApi::head(const db::Scope& scope) {
  const auto rows = co_await database_.query(kHead, scope);
  co_return rows[0].get<std::int64_t>(0);
}

asio::awaitable<std::string> EtherscanApi::answer(const api::EtherscanQuery& query,
                                                  const db::Scope& scope) {
  const std::string module = query.module.value_or("");
  if (module == "account") co_return co_await account(query, scope);
  if (module == "transaction") co_return co_await transaction(query, scope);
  if (module == "block") co_return co_await block(query, scope);
  if (module == "proxy") co_return co_await proxy(query);
  if (module == "logs") co_return co_await logs(query, scope);
  co_return notok("Error! Missing Or invalid Module name");
}

asio::awaitable<std::string> EtherscanApi::account(const api::EtherscanQuery& q,
                                                   const db::Scope& scope) {
  const std::string action = q.action.value_or("");
  if (action == "balance" || action == "balancemulti") {
    const auto tag = tag_of(q.tag);
    if (!tag) co_return notok("Error! Invalid tag");
    std::vector<std::string> addresses;
    const std::string list = q.address.value_or("");
    for (std::size_t at = 0; at <= list.size();) {
      const auto comma = std::min(list.find(',', at), list.size());
      const auto one = address_of(list.substr(at, comma - at));
      if (!one) co_return notok("Error! Invalid address format");
      addresses.push_back(*one);
      at = comma + 1;
    }
    if (action == "balance" && addresses.size() != 1)
      co_return notok("Error! Invalid address format");
    if (addresses.size() > kMaxMulti) co_return notok("Error! Too many addresses (at most 20)");
    json::array balances;
    for (const auto& address : addresses) {
      auto read = [this, address, block = *tag] { return node_.coin_balance(address, block); };
      const auto got = co_await work_.run(std::move(read));
      if (!got.result) co_return notok("Error! The node did not answer, try again");
      const std::string wei{got.result->as_string()};
      if (action == "balance") co_return ok(json::value(wei));
      balances.push_back(json::object{{"account", "0x" + address}, {"balance", wei}});
    }
    co_return ok(std::move(balances));
  }
  if (action == "tokenbalance") {
    const auto contract = address_of(q.contractaddress);
    const auto holder = address_of(q.address);
    if (!contract || !holder) co_return notok("Error! Invalid address format");
    const auto tag = tag_of(q.tag);
    if (!tag) co_return notok("Error! Invalid tag");
    auto read = [this, token = *contract, owner = *holder, block = *tag] {
      return node_.token_balance(token, owner, block);
    };
    const auto got = co_await work_.run(std::move(read));
    if (!got.result) co_return notok("Error! The node did not answer, try again");
    // A contract that does not answer balanceOf holds nothing for anyone: "0", as Etherscan.
    co_return ok(got.result->is_string() ? *got.result : json::value("0"));
  }
  if (action == "txlist" || action == "tokentx" || action == "tokennfttx") {
    const auto p = paging(q);
    if (const auto* error = std::get_if<std::string>(&p)) co_return *error;
    const auto& page = std::get<Paging>(p);
    if (action == "txlist") {
      const auto address = address_of(q.address);
      if (!address) co_return notok("Error! Invalid address format");
      // (Chosen before the co_await: GCC 12 mishandles ?: inside one.)
      const db::Statement& statement = page.descending ? kTxListDesc : kTxListAsc;
      const auto rows = co_await database_.query(statement, scope, *address, page.start, page.end,
                                                 page.limit, page.offset);
      co_return ok_list(rows, [](Writer& w, const db::Row& r) {
        write_transaction_item(w, r, r.get<std::int64_t>(17));
      });
    } else {
      const auto address = address_of(q.address);
      const auto contract = address_of(q.contractaddress);
      if ((q.address && !address) || (q.contractaddress && !contract) || (!address && !contract))
        co_return notok("Error! Invalid address format");
      const bool nft = action == "tokennfttx";
      const db::Statement& statement = page.descending ? kTokenTxDesc : kTokenTxAsc;
      const std::string standard = nft ? "ERC-721" : "ERC-20";
      const auto rows = co_await database_.query(statement, scope, standard, address, contract,
                                                 page.start, page.end, page.limit, page.offset);
      co_return ok_list(rows, [nft](Writer& w, const db::Row& r) {
        write_transfer_item(w, r, r.get<std::int64_t>(22), nft);
      });
    }
  }
  co_return notok("Error! Missing Or invalid Action name");
}

asio::awaitable<std::string> EtherscanApi::transaction(const api::EtherscanQuery& q,
                                                       const db::Scope& scope) {
  const std::string action = q.action.value_or("");
  if (action != "gettxreceiptstatus" && action != "getstatus")
    co_return notok("Error! Missing Or invalid Action name");
  const std::string hash = q.txhash.value_or("");
  if (hash.size() != 66 || !hash.starts_with("0x") || !util::from_hex(hash.substr(2)))
    co_return notok("Error! Invalid transaction hash");
  const auto rows = co_await database_.query(kReceiptStatus, scope,
                                             util::to_hex(*util::from_hex(hash.substr(2))));
  const std::optional<std::int64_t> status =
      rows.empty() ? std::nullopt : rows[0].opt<std::int64_t>(0);
  if (action == "gettxreceiptstatus") {
    co_return ok(json::object{{"status", status ? std::to_string(*status) : std::string{}}});
  }
  const bool failed = status && *status == 0;
  co_return ok(
      json::object{{"isError", failed ? "1" : "0"}, {"errDescription", failed ? "Reverted" : ""}});
}

asio::awaitable<std::string> EtherscanApi::block(const api::EtherscanQuery& q,
                                                 const db::Scope& scope) {
  const std::string action = q.action.value_or("");
  if (action == "getblockreward") {
    const auto height = integer(q.blockno, -1);
    if (!height || *height < 0) co_return notok("Error! Invalid block number");
    const auto rows = co_await database_.query(kBlockReward, scope, *height);
    if (rows.empty()) co_return notok("Error! Block not indexed yet");
    const auto& r = rows[0];
    co_return ok(json::object{{"blockNumber", number(r, 0)},
                              {"timeStamp", seconds(r, 1)},
                              {"blockMiner", hex0x(r, 2)},
                              {"blockReward", text(r, 3)},
                              {"uncles", json::array{}},
                              {"uncleInclusionReward", "0"}});
  }
  if (action != "getblocknobytime") co_return notok("Error! Missing Or invalid Action name");
  const auto at = integer(q.timestamp, -1);
  if (!at || *at < 0) co_return notok("Error! Invalid timestamp");
  const std::string closest = q.closest.value_or("before");
  if (closest != "before" && closest != "after")
    co_return notok("Error! Invalid closest, use before or after");
  const db::Statement& statement = closest == "before" ? kBlockBefore : kBlockAfter;
  const auto rows = co_await database_.query(statement, scope, static_cast<double>(*at));
  if (rows.empty()) co_return notok("Error! No closest block found");
  co_return ok(json::value(std::to_string(rows[0].get<std::int64_t>(0))));
}

asio::awaitable<std::string> EtherscanApi::logs(const api::EtherscanQuery& q,
                                                const db::Scope& scope) {
  if (q.action.value_or("") != "getLogs") co_return notok("Error! Missing Or invalid Action name");
  const auto top = co_await head(scope);
  const auto block_of = [&](const std::optional<std::string>& text,
                            std::int64_t fallback) -> std::optional<std::int64_t> {
    if (text && *text == "latest") return top;
    return integer(text, fallback);
  };
  const auto from = block_of(q.fromBlock, 0);
  const auto to = block_of(q.toBlock, std::numeric_limits<std::int64_t>::max());
  if (!from || !to) co_return notok("Error! Invalid block number");
  std::optional<std::string> address;
  if (q.address) {
    address = address_of(q.address);
    if (!address) co_return notok("Error! Invalid address format");
  }
  std::array<std::optional<std::string>, 4> topics;
  const std::array<const std::optional<std::string>*, 4> given = {&q.topic0, &q.topic1, &q.topic2,
                                                                  &q.topic3};
  for (std::size_t i = 0; i < 4; ++i) {
    if (!*given[i]) continue;
    const std::string& t = **given[i];
    const auto bytes =
        t.size() == 66 && t.starts_with("0x") ? util::from_hex(t.substr(2)) : std::nullopt;
    if (!bytes) co_return notok("Error! Invalid topic, 0x and 64 hexadecimal digits");
    topics[i] = util::to_hex(*bytes);
  }
  if (!address && std::none_of(topics.begin(), topics.end(), [](const auto& t) { return t; }))
    co_return notok("Error! An address and/or topic(X) parameters are required");
  // The operators between topics: all "and" (the default) or all "or".
  bool any_or = false, any_and = false;
  for (const auto* opr : {&q.topic0_1_opr, &q.topic0_2_opr, &q.topic0_3_opr, &q.topic1_2_opr,
                          &q.topic1_3_opr, &q.topic2_3_opr}) {
    if (!*opr) continue;
    if (**opr == "or") {
      any_or = true;
    } else if (**opr == "and") {
      any_and = true;
    } else {
      co_return notok("Error! Invalid topic operator, use and or or");
    }
  }
  if (any_or && any_and) co_return notok("Error! Topic operators must be all and or all or here");
  const auto page = integer(q.page, 1);
  const auto offset = integer(q.offset, 1000);
  if (!page || !offset || *page < 1 || *offset < 1 || *offset > 1000)
    co_return notok("Error! Invalid page or offset (at most 1000 records a page)");
  if (*page * *offset > kWindow) {
    co_return window_too_large();
  }
  const auto rows =
      co_await database_.query(kLogs, scope, *from, *to, address, topics[0], topics[1], topics[2],
                               topics[3], any_or, *offset, (*page - 1) * *offset);
  json::array items;
  for (int i = 0; i < rows.rows(); ++i) {
    const auto r = rows[i];
    json::array item_topics;
    for (int c = 1; c <= 4; ++c) {
      if (!r.is_null(c)) item_topics.push_back(json::value(hex0x(r, c)));
    }
    const auto ts = std::stoull(seconds(r, 8));
    items.push_back(json::object{
        {"address", hex0x(r, 0)},
        {"topics", std::move(item_topics)},
        {"data", hex0x(r, 5)},
        {"blockNumber", hex_quantity(static_cast<std::uint64_t>(r.get<std::int64_t>(6)))},
        {"blockHash", hex0x(r, 7)},
        {"timeStamp", hex_quantity(ts)},
        {"gasPrice", hex_decimal(text(r, 9))},
        {"gasUsed", hex_decimal(text(r, 10))},
        {"logIndex", hex_quantity(static_cast<std::uint64_t>(r.get<std::int64_t>(11)))},
        {"transactionHash", hex0x(r, 12)},
        {"transactionIndex", hex_quantity(static_cast<std::uint64_t>(r.get<std::int64_t>(13)))}});
  }
  if (items.empty()) co_return none("No records found");
  co_return ok(std::move(items));
}

asio::awaitable<std::string> EtherscanApi::proxy(const api::EtherscanQuery& q) {
  const std::string action = q.action.value_or("");
  json::array params;
  if (action == "eth_blockNumber") {
  } else if (action == "eth_getBlockByNumber") {
    const auto tag = tag_of(q.tag);
    if (!tag) co_return notok("Error! Invalid tag");
    params = {*tag, q.boolean.value_or("false") == "true"};
  } else if (action == "eth_getTransactionByHash" || action == "eth_getTransactionReceipt") {
    const std::string hash = q.txhash.value_or("");
    if (hash.size() != 66 || !hash.starts_with("0x") || !util::from_hex(hash.substr(2)))
      co_return notok("Error! Invalid transaction hash");
    params = {hash};
  } else {
    co_return notok("Error! Missing Or invalid Action name");
  }
  // Etherscan's ids: 83 for eth_blockNumber, 1 for the others.
  const int id = action == "eth_blockNumber" ? 83 : 1;
  std::string method = action;
  const auto got = co_await node_call(std::move(method), std::move(params));
  // The proxy answers as the node's JSON-RPC does (Etherscan's own shape for this module).
  if (!got.result) {
    co_return util::json::serialize(
        json::object{{"jsonrpc", "2.0"},
                     {"id", id},
                     {"error", json::object{{"code", -32000}, {"message", got.error}}}});
  }
  co_return util::json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", *got.result}});
}

}  // namespace pend::domain::explorer
