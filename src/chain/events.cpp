#include "chain/events.hpp"

#include "chain/contracts.hpp"
#include "chain/quantity.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "security/evm_address.hpp"
#include "util/hex.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <set>

namespace pend::chain {

namespace json = boost::json;

namespace {

std::string raw_address(std::string_view text) {
  const auto address = security::parse_address(text);
  if (!address) return {};
  return std::string(reinterpret_cast<const char*>(address->bytes.data()), 20);
}

const std::string kZero(20, '\0');

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string{v->as_string()} : std::string{};
}

}  // namespace

ChainEvents::ChainEvents(ChainEventsOptions options)
    : options_(std::move(options)),
      spec_{.name = "chain-events",
            .scope = workers::Scope::cluster,
            .interval = options_.interval,
            .deadline = std::chrono::milliseconds{120'000}},
      nodes_(std::make_shared<RpcNodes>(options_.rpc)),
      rpc_(std::make_unique<RpcClient>(nodes_)),
      cache_(options_.redis, options_.cache_ttl, options_.redis_timeout) {}

ChainEvents::~ChainEvents() = default;

std::int64_t ChainEvents::fetch_metadata(workers::RunContext& ctx) {
  auto& session = ctx.session();
  const auto rows = session.exec(
      "SELECT encode(contract_address, 'hex'), type FROM tokens WHERE metadata_fetched_at IS NULL "
      "ORDER BY created_at LIMIT 50");
  ContractReader reader(*rpc_);
  for (int i = 0; i < rows.size(); ++i) {
    ctx.check();
    const auto address = util::from_hex(rows.value(i, 0)).value();
    const auto type = token_type_from(rows.value(i, 1)).value_or(TokenType::erc20);
    const auto meta = reader.metadata(address, type);
    std::string refused;
    for (const auto& m : meta.refused) refused += (refused.empty() ? "" : ", ") + m;
    session.exec(
        "UPDATE tokens SET name = nullif($2, ''), symbol = nullif($3, ''), "
        "decimals = nullif($4, '')::smallint, total_supply = nullif($5, '')::numeric, "
        "metadata_fetched_at = now(), metadata_error = nullif($6, '') "
        "WHERE contract_address = decode($1, 'hex')",
        {rows.value(i, 0), meta.name.value_or(""), meta.symbol.value_or(""),
         meta.decimals ? std::to_string(*meta.decimals) : "", meta.total_supply.value_or(""),
         refused.empty() ? "" : "not answered: " + refused});
  }
  return rows.size();
}

void ChainEvents::record_failure(workers::RunContext& ctx, const std::string& id,
                                 std::int64_t attempts, const std::string& error,
                                 std::int64_t& failed, std::int64_t& dead) {
  const bool is_dead = attempts >= static_cast<std::int64_t>(options_.max_attempts);
  ctx.session().exec(
      "UPDATE blockchain_events SET processing_attempts = $2, last_processing_error = $3, "
      "dead = $4::bool, next_attempt_at = now() + make_interval(secs => least(3600, "
      "power(2, $2::int)::int)) WHERE id = $1::uuid",
      {id, std::to_string(attempts), error.substr(0, 500), is_dead ? "true" : "false"});
  ++failed;
  if (is_dead) {
    ++dead;
    logging::error(
        "BLOCKCHAIN", "CHAIN_EVENT_DEAD", "a blockchain event failed every processing attempt",
        {{"event_id", id}, {"attempts", static_cast<std::int64_t>(attempts)}, {"error", error}});
  }
}

workers::RunReport ChainEvents::run(workers::RunContext& ctx) {
  try {
    return process(ctx);
  } catch (const workers::RunStopped&) {
    // A stop between two events: what was processed is committed, the rest waits.
    if (!ctx.stopping()) throw;
    return {{"stopped", 1}};
  }
}

workers::RunReport ChainEvents::process(workers::RunContext& ctx) {
  auto& session = ctx.session();
  workers::RunReport report{{"tokens_described", fetch_metadata(ctx)}};
  const auto rows = session.exec(
      "SELECT e.id, e.event_type, e.contract_address, e.transaction_hash, e.block_number, "
      "e.decoded_data::text, e.voided, e.processing_attempts, coalesce(t.type, ''), "
      "coalesce(e.last_report, '') "
      "FROM blockchain_events e LEFT JOIN tokens t "
      "ON t.contract_address = decode(substr(e.contract_address, 3), 'hex') "
      "WHERE NOT e.processed AND NOT e.dead AND (e.next_attempt_at IS NULL OR "
      "e.next_attempt_at <= now()) ORDER BY e.block_number, e.log_index LIMIT $1",
      {std::to_string(options_.batch)});
  std::int64_t processed = 0, failed = 0, dead = 0;
  if (rows.size() == 0) {
    report["processed"] = 0;
    return report;
  }
  const auto head = quantity_u64(rpc_->call("eth_blockNumber", {}).as_string()).value_or(0);
  const auto at = to_quantity(head);
  ContractReader reader(*rpc_);
  for (int i = 0; i < rows.size(); ++i) {
    ctx.check();
    const auto id = rows.value(i, 0);
    try {
      const auto data = json::parse(rows.value(i, 5));
      const auto& fields = data.as_object();
      const bool voided = rows.value(i, 6) == "t";
      const auto token = raw_address(rows.value(i, 2));
      const auto type = token_type_from(rows.value(i, 8));
      // The addresses whose balances the event moved.
      std::set<std::string> holders;
      for (const auto* key : {"from", "to"}) {
        const auto holder = raw_address(text_of(fields, key));
        if (!holder.empty() && holder != kZero) holders.insert(holder);
      }
      std::vector<std::string> ids;
      if (const auto* v = fields.if_contains("id"); v != nullptr && v->is_string())
        ids.emplace_back(v->as_string());
      if (const auto* v = fields.if_contains("ids"); v != nullptr && v->is_array())
        for (const auto& item : v->as_array())
          if (item.is_string()) ids.emplace_back(item.as_string());
      for (const auto& holder : holders) {
        const auto hex = util::to_hex(holder);
        const auto coin = reader.coin_balance(holder, at);
        session.exec(
            "INSERT INTO address_coin_balances (address, block_number, value) VALUES "
            "(decode($1, 'hex'), $2, $3::numeric) ON CONFLICT (address, block_number) DO UPDATE "
            "SET value = excluded.value, value_fetched_at = now()",
            {hex, std::to_string(head), coin});
        const auto checksummed = security::parse_address("0x" + hex)->checksummed();
        cache_.put("balance", checksummed, json::object{{"address", checksummed}, {"value", coin}},
                   head);
        if (!type) continue;
        std::vector<std::optional<std::string>> token_ids;
        if (*type == TokenType::erc1155) {
          for (const auto& token_id : ids) token_ids.emplace_back(token_id);
        } else {
          token_ids.emplace_back(std::nullopt);
        }
        for (const auto& token_id : token_ids) {
          const auto balance = reader.balance_of(token, holder, token_id, at);
          if (!balance) throw std::runtime_error("balanceOf reverted");
          session.exec(
              "INSERT INTO address_token_balances (address, token_address, token_id, "
              "block_number, value) VALUES (decode($1, 'hex'), decode($2, 'hex'), $3::numeric, "
              "$4, $5::numeric) ON CONFLICT (address, token_address, token_id) DO UPDATE SET "
              "block_number = excluded.block_number, value = excluded.value, "
              "value_fetched_at = now() WHERE address_token_balances.block_number <= "
              "excluded.block_number",
              {hex, util::to_hex(token), token_id.value_or("0"), std::to_string(head), *balance});
        }
      }
      // A registered user's address received a token transfer, or one reported to them was
      // undone by a reorg: each told once (last_report), however often its block flips.
      const auto event_type = rows.value(i, 1);
      const bool transfer = event_type == "Transfer" || event_type == "TransferSingle" ||
                            event_type == "TransferBatch";
      const std::string last_report = rows.value(i, 9);
      const char* report_now = !voided && last_report != "TRANSFER_RECEIVED"  ? "TRANSFER_RECEIVED"
                               : voided && last_report == "TRANSFER_RECEIVED" ? "TRANSFER_VOIDED"
                                                                              : nullptr;
      std::string reported = last_report;
      const auto to = raw_address(text_of(fields, "to"));
      if (transfer && report_now != nullptr && !to.empty() && to != kZero) {
        const auto to_text = security::parse_address(text_of(fields, "to"))->checksummed();
        const auto users =
            session.exec("SELECT id FROM users WHERE blockchain_address = $1", {to_text});
        if (users.size() > 0) {
          const auto user_id = users.value(0, 0);
          json::object meta{{"token", rows.value(i, 2)},
                            {"event", rows.value(i, 1)},
                            {"transaction_hash", rows.value(i, 3)},
                            {"block_number", std::stoll(rows.value(i, 4))}};
          if (const auto* v = fields.if_contains("value")) meta["value"] = *v;
          if (const auto* v = fields.if_contains("tokenId")) meta["token_id"] = *v;
          if (const auto* v = fields.if_contains("id")) meta["token_id"] = *v;
          const json::value metadata = std::move(meta);
          logging::Entry entry;
          entry.user_id = user_id;
          entry.metadata = &metadata;
          reported = report_now;
          logging::business(report_now,
                            voided ? "a transfer to a user was undone by a reorganisation"
                                   : "a user received a token transfer",
                            entry);
        }
      }
      session.exec(
          "UPDATE blockchain_events SET processed = true, processed_at = now(), "
          "last_processing_error = NULL, next_attempt_at = NULL, last_report = nullif($2, '') "
          "WHERE id = $1::uuid",
          {id, reported});
      ++processed;
    } catch (const workers::RunStopped&) {
      throw;
    } catch (const RpcError& error) {
      // No node answered: not this event's fault. The run fails and the runner backs off,
      // leaving the event's attempts as they were.
      if (error.transport()) throw;
      record_failure(ctx, id, std::stoll(rows.value(i, 7)) + 1, error.what(), failed, dead);
    } catch (const std::exception& error) {
      record_failure(ctx, id, std::stoll(rows.value(i, 7)) + 1, error.what(), failed, dead);
    }
  }
  report["processed"] = processed;
  report["failed"] = failed;
  report["dead"] = dead;
  return report;
}

}  // namespace pend::chain
