#include "domain/console/service.hpp"

#include "db/error.hpp"
#include "db/transaction.hpp"
#include "domain/audit/repository.hpp"
#include "domain/auth/routes.hpp"
#include "domain/common/errors.hpp"
#include "domain/common/pagination.hpp"
#include "domain/explorer/api_keys.hpp"
#include "domain/kyc/repository.hpp"
#include "http/request_context.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "security/password.hpp"
#include "security/random.hpp"
#include "util/enum_name.hpp"
#include "util/hex.hpp"

#include <algorithm>

namespace pend::domain::console {

namespace asio = boost::asio;
using pend::security::Permission;

namespace {

struct ActionInfo {
  Action action;
  std::string_view name;
  std::string_view resource_type;
  Permission permission;
};

constexpr ActionInfo kActions[] = {
    {Action::user_suspend, "user.suspend", "user", Permission::users_write},
    {Action::user_reactivate, "user.reactivate", "user", Permission::users_write},
    {Action::user_close, "user.close", "user", Permission::users_write},
    {Action::user_tier, "user.tier", "user", Permission::users_write},
    {Action::user_unlock, "user.unlock", "user", Permission::users_write},
    {Action::user_revoke_sessions, "user.revoke_sessions", "user", Permission::users_write},
    {Action::security_event_investigate, "security_event.investigate", "security_event",
     Permission::security_investigate},
    {Action::admin_create, "admin.create", "admin", Permission::admins_manage},
    {Action::admin_disable, "admin.disable", "admin", Permission::admins_manage},
    {Action::admin_reset_totp, "admin.reset_totp", "admin", Permission::admins_manage},
    {Action::admin_reset_password, "admin.reset_password", "admin", Permission::admins_manage},
    {Action::admin_role, "admin.role", "admin", Permission::admins_manage},
    {Action::cache_invalidate, "cache.invalidate", "cache", Permission::cache_invalidate},
    {Action::kyc_decide, "kyc.decide", "kyc", Permission::kyc_review},
    {Action::api_key_create, "api_key.create", "api_key", Permission::api_keys_manage},
    {Action::api_key_limits, "api_key.limits", "api_key", Permission::api_keys_manage},
    {Action::api_key_revoke, "api_key.revoke", "api_key", Permission::api_keys_manage},
    {Action::asset_track, "asset.track", "token", Permission::assets_manage},
    {Action::asset_untrack, "asset.untrack", "token", Permission::assets_manage},
};

const ActionInfo& info(Action action) {
  for (const auto& entry : kActions) {
    if (entry.action == action) return entry;
  }
  return kActions[0];
}

// The one-time password of a new admin: 20 characters without look-alikes (~115 bits).
constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

// The audit row of a request that expired undecided.
audit::AuditRecord expiry_record(const ApprovalRow& request, util::Microseconds at) {
  return {.action = request.action,
          .resource_type = request.resource_type,
          .resource_id = request.resource_id,
          .new_values = request.params,
          .justification = request.justification,
          .outcome = "expired",
          .approval_required = true,
          .at = at};
}

// A business log entry of the admin's.
void log_business(const Actor& actor, std::string_view event, const std::string& message) {
  logging::Entry entry;
  entry.admin_id = actor.admin_id;
  logging::business(event, message, entry);
}

// An asset's resource id (its EIP-55 address) as the tokens table's key is written.
std::string token_hex(std::string_view address) {
  auto hex = util::lower_hex(address);
  if (hex.starts_with("0x")) hex.erase(0, 2);
  return hex;
}

std::optional<std::int64_t> optional_int(const boost::json::object& params, std::string_view name) {
  const auto* value = params.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return value->to_number<std::int64_t>();
}

DomainError invalid_state(std::string message) {
  return DomainError::conflict("invalid_state", std::move(message));
}

}  // namespace

Actor actor_of(const http::RequestContext& ctx, const config::AuthSettings& settings) {
  const auto caller = auth::caller_of(ctx, settings);
  return {.admin_id = ctx.principal.id,
          .session_id = ctx.principal.session_id,
          .role = ctx.principal.role.value_or(pend::security::Role::viewer),
          .ip = caller.ip,
          .user_agent = caller.user_agent};
}

std::string_view action_name(Action action) { return info(action).name; }
std::string_view resource_type_of(Action action) { return info(action).resource_type; }
Permission permission_of(Action action) { return info(action).permission; }

std::optional<Action> parse_action(std::string_view name) {
  for (const auto& entry : kActions) {
    if (entry.name == name) return entry.action;
  }
  return std::nullopt;
}

ConsoleService::ConsoleService(const Deps& deps)
    : settings_(deps.settings.admin),
      kyc_(deps.settings.kyc),
      clock_(deps.clock),
      database_(deps.database),
      sessions_(deps.sessions),
      cache_(deps.cache),
      work_(deps.work) {}

util::Microseconds ConsoleService::now() const {
  return std::chrono::floor<std::chrono::microseconds>(clock_.now());
}

asio::awaitable<boost::json::value> ConsoleService::lock(db::Transaction& tx,
                                                         const Change& change) {
  const auto type = resource_type_of(change.action);
  if (type == "user") co_return co_await lock_user(tx, change.resource_id);
  if (type == "admin") {
    if (change.action == Action::admin_create) co_return boost::json::object{};
    co_return co_await lock_admin(tx, change.resource_id);
  }
  if (type == "security_event") co_return co_await lock_security_event(tx, change.resource_id);
  if (type == "kyc") co_return co_await kyc::lock_for_decision(tx, change.resource_id);
  if (type == "api_key") {
    if (change.action == Action::api_key_create) co_return boost::json::object{};
    co_return co_await lock_api_key(tx, change.resource_id);
  }
  if (type == "token") {
    auto row = co_await lock_token(tx, token_hex(change.resource_id));
    // A token not seen yet is tracked all the same: the indexer fetches its metadata.
    if (row.is_null() && change.action == Action::asset_track) co_return boost::json::object{};
    co_return row;
  }
  co_return boost::json::object{};  // the cache: no row
}

asio::awaitable<std::optional<std::string>> ConsoleService::rule_for(
    db::Transaction& tx, const Change& change, const boost::json::value& old) {
  std::optional<std::string> rule;
  switch (change.action) {
    case Action::user_close:
      rule = "user.close";
      break;
    case Action::user_tier:
      if (change.params.at("tier").to_number<std::int64_t>() > 3) rule = "user.tier_above_3";
      break;
    case Action::admin_role:
      rule = "admin.role";
      break;
    case Action::kyc_decide: {
      // Raising a tier from kyc.second_review_from_tier takes two admins, whatever
      // admin.approval_required lists: it is the tier model's rule, not a preference.
      const auto* target = old.as_object().if_contains("target_tier");
      if (change.params.at("decision").as_string() == "approve" && target != nullptr &&
          target->to_number<std::int64_t>() >= kyc_.second_review_from_tier) {
        co_return std::string{"kyc.approve_high_tier"};
      }
      co_return std::nullopt;
    }
    case Action::user_unlock:
      if (co_await has_open_high_severity(tx, text_of(old, "id"))) {
        rule = "user.unlock_high_severity";
      }
      break;
    default:
      break;
  }
  if (rule &&
      std::ranges::find(settings_.approval_required, *rule) == settings_.approval_required.end()) {
    rule.reset();
  }
  co_return rule;
}

asio::awaitable<ConsoleService::Applied> ConsoleService::apply(db::Transaction& tx,
                                                               const Actor& actor,
                                                               const Change& change,
                                                               boost::json::value old) {
  Applied out;
  out.resource_id = change.resource_id;
  const std::string id = change.resource_id;
  switch (change.action) {
    case Action::user_suspend:
      if (text_of(old, "status") != "active")
        throw invalid_state("only an active user is suspended");
      co_await set_user_status(tx, id, "suspended");
      break;
    case Action::user_reactivate:
      if (text_of(old, "status") != "suspended") {
        throw invalid_state("only a suspended user is reactivated");
      }
      co_await set_user_status(tx, id, "active");
      break;
    case Action::user_close:
      if (text_of(old, "status") == "closed") throw invalid_state("the account is closed already");
      co_await set_user_status(tx, id, "closed");
      break;
    case Action::user_tier:
      if (text_of(old, "status") == "closed") throw invalid_state("the account is closed");
      co_await set_user_tier(tx, id, change.params.at("tier").to_number<std::int64_t>());
      break;
    case Action::user_unlock:
      co_await clear_user_lockout(tx, id);
      break;
    case Action::user_revoke_sessions: {
      const auto live = co_await sessions_.list(http::Principal::Kind::user, id);
      old.as_object()["sessions"] = live.size();
      break;
    }
    case Action::security_event_investigate:
      co_await mark_investigated(tx, id, actor.admin_id, change.params.at("notes").as_string(),
                                 change.params.at("false_positive").as_bool());
      break;
    case Action::admin_create: {
      api::NewAdmin admin;
      admin.email = change.params.at("email").as_string();
      admin.display_name = change.params.at("display_name").as_string();
      admin.role = util::enum_from_name<pend::security::Role>(
                       std::string_view{change.params.at("role").as_string()})
                       .value_or(pend::security::Role::viewer);
      std::string password = pend::security::random_string(kPasswordAlphabet, 20);
      auto hash_it = [password] { return pend::security::hash_password(password); };
      const std::string hash = co_await work_.run(std::move(hash_it));
      try {
        out.resource_id = co_await insert_admin(tx, admin, hash, now());
      } catch (const db::DatabaseError& error) {
        if (error.sqlstate() == "23505") {
          throw DomainError::conflict("email_taken", "an admin with this email exists");
        }
        throw;
      }
      out.one_time_password = std::move(password);
      old = nullptr;
      break;
    }
    case Action::admin_disable:
      if (id == actor.admin_id) throw invalid_state("an admin cannot disable themselves");
      if (text_of(old, "status") == "disabled")
        throw invalid_state("the admin is disabled already");
      co_await set_admin_status(tx, id, "disabled");
      break;
    case Action::admin_reset_totp:
      co_await reset_admin_totp(tx, id);
      break;
    case Action::admin_reset_password: {
      if (id == actor.admin_id)
        throw invalid_state("an admin changes their own password by signing in");
      // Given once in the answer; the admin must replace it at the next sign-in.
      std::string password = pend::security::random_string(kPasswordAlphabet, 20);
      auto hash_it = [password] { return pend::security::hash_password(password); };
      const std::string hash = co_await work_.run(std::move(hash_it));
      co_await set_admin_one_time_password(tx, id, hash);
      out.one_time_password = std::move(password);
      break;
    }
    case Action::admin_role:
      if (id == actor.admin_id) throw invalid_state("an admin cannot change their own role");
      co_await set_admin_role(tx, id, change.params.at("role").as_string());
      break;
    case Action::kyc_decide:
      co_await decide_kyc(tx, actor, change, old);
      break;
    case Action::api_key_create: {
      std::string key = explorer::ApiKeys::generate();
      const NewApiKeyRow row{.key_hash = explorer::ApiKeys::hash(key),
                             .key_prefix = explorer::ApiKeys::prefix(key),
                             .name = std::string{change.params.at("name").as_string()},
                             .per_second = change.params.at("per_second").to_number<std::int64_t>(),
                             .per_day = optional_int(change.params, "per_day"),
                             .created_by = actor.admin_id};
      out.resource_id = co_await insert_api_key(tx, row);
      out.api_key = std::move(key);
      old = nullptr;
      break;
    }
    case Action::api_key_limits:
      if (text_of(old, "status") != "active") throw invalid_state("the key is revoked");
      co_await set_api_key_limits(tx, id, change.params.at("per_second").to_number<std::int64_t>(),
                                  optional_int(change.params, "per_day"));
      break;
    case Action::api_key_revoke:
      if (text_of(old, "status") != "active") throw invalid_state("the key is revoked already");
      co_await revoke_api_key(tx, id);
      break;
    case Action::asset_track: {
      const auto* was = old.as_object().if_contains("tracked");
      if (was != nullptr && was->as_bool()) throw invalid_state("the asset is tracked already");
      const auto* type = change.params.if_contains("type");
      co_await track_token(tx, token_hex(id),
                           type != nullptr && type->is_string()
                               ? std::string_view{type->as_string()}
                               : std::string_view{"ERC-20"});
      if (old.as_object().empty()) old = nullptr;  // it was not in the tokens table
      break;
    }
    case Action::asset_untrack: {
      const auto* was = old.as_object().if_contains("tracked");
      if (was == nullptr || !was->as_bool()) throw invalid_state("the asset is not tracked");
      co_await untrack_token(tx, token_hex(id));
      break;
    }
    case Action::cache_invalidate: {
      if (cache_ == nullptr) {
        throw DomainError{DomainError::Kind::unavailable, "cache_disabled",
                          "the cache is off (cache.enabled = false)"};
      }
      const auto deleted = co_await cache_->invalidate_pattern(id);
      out.old_values = nullptr;
      out.new_values = boost::json::object{{"pattern", id}, {"deleted", deleted}};
      co_return out;
    }
  }
  out.old_values = std::move(old);
  if (change.action == Action::user_revoke_sessions) {
    out.new_values = boost::json::object{{"sessions", 0}};
  } else if (change.action == Action::admin_create) {
    out.new_values = co_await lock_admin(tx, out.resource_id);  // the row as created
  } else if (change.action == Action::api_key_create) {
    out.new_values = co_await lock_api_key(tx, out.resource_id);  // never the key itself
  } else {
    out.new_values = co_await lock(tx, change);  // the row as the change left it
  }
  co_return out;
}

asio::awaitable<void> ConsoleService::decide_kyc(db::Transaction& tx, const Actor& actor,
                                                 const Change& change,
                                                 const boost::json::value& old) {
  if (text_of(old, "status") != "submitted") {
    throw invalid_state("only a submitted case is decided");
  }
  if (text_of(old, "user_status") == "closed") throw invalid_state("the account is closed");
  const bool approve = change.params.at("decision").as_string() == "approve";
  std::optional<std::string> reason;
  if (const auto* r = change.params.if_contains("reason"); r != nullptr && r->is_string()) {
    reason = std::string{r->as_string()};
  }
  // The reviewer's word on each document; the ones not named follow the decision.
  const auto& named = change.params.at("documents").as_array();
  std::vector<kyc::DocumentDecision> decisions;
  for (const auto& row : old.at("documents").as_array()) {
    const std::string kind = text_of(row, "kind");
    kyc::DocumentDecision d{.kind = kind, .status = approve ? "approved" : "rejected"};
    for (const auto& item : named) {
      if (text_of(item, "kind") != kind) continue;
      d.status = text_of(item, "decision") == "approve" ? "approved" : "rejected";
      if (const auto why = text_of(item, "reason"); !why.empty()) d.reason = why;
    }
    if (d.status == "rejected" && !d.reason) d.reason = reason;
    if (approve && d.status == "rejected") {
      throw DomainError::invalid("document_rejected",
                                 "an approval approves every document; reject the case instead");
    }
    if (d.status == "rejected" && !d.reason) {
      throw DomainError::invalid("reason_required", "a rejected document needs a reason");
    }
    decisions.push_back(std::move(d));
  }
  for (const auto& item : named) {
    const std::string kind = text_of(item, "kind");
    const bool known =
        std::ranges::any_of(decisions, [&](const auto& d) { return d.kind == kind; });
    if (!known) throw DomainError::invalid("unknown_document", "the case has no " + kind);
  }
  co_await kyc::apply_decision(tx, change.resource_id, approve, decisions, reason, actor.admin_id,
                               now());
}

asio::awaitable<void> ConsoleService::follow_up(const Change& change) {
  if (change.action == Action::kyc_decide) {
    const bool approved = change.params.at("decision").as_string() == "approve";
    logging::info("KYC", approved ? "KYC_APPROVED" : "KYC_REJECTED",
                  approved ? "a KYC submission was approved" : "a KYC submission was rejected",
                  {{"submission_id", change.resource_id}});
    logging::business(
        approved ? "KYC_APPROVED" : "KYC_REJECTED",
        approved ? "a user's tier was raised by KYC review" : "a KYC submission was rejected");
  }
  try {
    switch (change.action) {
      case Action::user_suspend:
      case Action::user_close:
      case Action::user_revoke_sessions:
        co_await sessions_.revoke_all(http::Principal::Kind::user, change.resource_id);
        break;
      case Action::admin_disable:
      case Action::admin_reset_totp:
      case Action::admin_reset_password:
        co_await sessions_.revoke_all(http::Principal::Kind::admin, change.resource_id);
        break;
      default:
        break;
    }
  } catch (const std::exception& error) {
    // The change stands; its sessions end at their idle limit, and meanwhile the user
    // routes refuse a user who is not active and the role check on each request an admin
    // who is not.
    logging::error("ADMIN", "SESSIONS_NOT_REVOKED",
                   "the sessions of a changed account could not be ended",
                   {{"action", std::string{action_name(change.action)}},
                    {"resource_id", change.resource_id},
                    {"error", error.what()}});
  }
}

asio::awaitable<api::ChangeResult> ConsoleService::request(const Actor& actor, const Change& change,
                                                           const db::Scope& scope) {
  std::optional<DomainError> refusal;
  try {
    co_return co_await attempt(actor, change, scope);
  } catch (const DomainError& error) {
    refusal = error;  // the transaction rolled back: nothing of the change stands
  }
  // A refused change is audited too (what was asked, and why it was refused).
  const audit::AuditRecord refused{
      .admin_id = actor.admin_id,
      .action = std::string{action_name(change.action)},
      .resource_type = std::string{resource_type_of(change.action)},
      .resource_id = change.resource_id,
      .new_values = boost::json::object{{"asked", change.params}, {"why", refusal->code()}},
      .ip_address = actor.ip,
      .user_agent = actor.user_agent,
      .session_id = actor.session_id,
      .justification = change.justification,
      .outcome = "refused",
      .at = now()};
  co_await audit::append(database_, refused, scope);
  throw *refusal;
}

asio::awaitable<api::ChangeResult> ConsoleService::attempt(const Actor& actor, const Change& change,
                                                           const db::Scope& scope) {
  const auto at = now();
  const std::string action{action_name(change.action)};
  const std::string type{resource_type_of(change.action)};
  db::Lease connection = co_await database_.acquire(scope);
  db::Transaction tx(*connection, scope);
  boost::json::value old = co_await lock(tx, change);
  if (old.is_null()) throw DomainError::not_found("no such " + type);

  audit::AuditRecord record{.admin_id = actor.admin_id,
                            .action = action,
                            .resource_type = type,
                            .resource_id = change.resource_id,
                            .ip_address = actor.ip,
                            .user_agent = actor.user_agent,
                            .session_id = actor.session_id,
                            .justification = change.justification,
                            .at = at};
  api::ChangeResult result{.action = action, .resource_type = type};

  if (const auto rule = co_await rule_for(tx, change, old)) {
    record.old_values = old;
    record.new_values = change.params;
    record.outcome = "pending";
    record.approval_required = true;
    const auto audited = co_await audit::append(tx, record);
    const auto expires = at + settings_.approval_ttl;
    const ApprovalRow filed{.action = action,
                            .resource_type = type,
                            .resource_id = change.resource_id,
                            .params = change.params,
                            .justification = change.justification,
                            .requested_by = actor.admin_id,
                            .requested_at = at,
                            .expires_at = expires,
                            .request_audit_id = audited.id};
    const std::string approval_id = co_await insert_approval(tx, filed);
    co_await tx.commit();
    figures_.pending.fetch_add(1, std::memory_order_relaxed);
    log_business(actor, "ADMIN_APPROVAL_REQUESTED",
                 "an admin change waits for a second admin (" + *rule + ")");
    result.status = "pending";
    result.resource_id = change.resource_id;
    result.old_values = std::move(old);
    result.new_values = change.params;
    result.audit_id = audited.id;
    result.approval_id = approval_id;
    result.expires_at = expires;
    co_return result;
  }

  auto applied = co_await apply(tx, actor, change, std::move(old));
  record.resource_id = applied.resource_id;
  record.old_values = applied.old_values;
  record.new_values = applied.new_values;
  const auto audited = co_await audit::append(tx, record);
  co_await tx.commit();
  co_await follow_up(change);
  figures_.applied.fetch_add(1, std::memory_order_relaxed);
  log_business(actor, "ADMIN_CHANGE_APPLIED", "an admin change was applied: " + action);
  result.status = "applied";
  result.resource_id = applied.resource_id;
  result.old_values = std::move(applied.old_values);
  result.new_values = std::move(applied.new_values);
  result.audit_id = audited.id;
  result.one_time_password = std::move(applied.one_time_password);
  result.api_key = std::move(applied.api_key);
  co_return result;
}

asio::awaitable<api::ChangeResult> ConsoleService::approve(const Actor& actor, std::string_view id,
                                                           std::string_view justification,
                                                           const db::Scope& scope) {
  co_return co_await decide(actor, id, justification, true, scope);
}

asio::awaitable<api::ChangeResult> ConsoleService::reject(const Actor& actor, std::string_view id,
                                                          std::string_view justification,
                                                          const db::Scope& scope) {
  co_return co_await decide(actor, id, justification, false, scope);
}

asio::awaitable<api::ChangeResult> ConsoleService::decide(const Actor& actor, std::string_view id,
                                                          std::string_view justification,
                                                          bool approve, const db::Scope& scope) {
  const auto at = now();
  db::Lease connection = co_await database_.acquire(scope);
  db::Transaction tx(*connection, scope);
  // Locked: two admins deciding at once are served one after the other, and the second
  // finds the request decided.
  const auto request = co_await lock_approval(tx, id);
  if (!request) throw DomainError::not_found("no such approval request");
  const auto action = parse_action(request->action);
  if (!action) throw invalid_state("this request's action is no longer known");
  Change change{
      .action = *action,
      .resource_id = request->resource_id,
      .params = request->params.is_object() ? request->params.as_object() : boost::json::object{},
      .justification = request->justification};

  audit::AuditRecord record{.admin_id = actor.admin_id,
                            .action = approve ? "approval.approve" : "approval.reject",
                            .resource_type = "approval",
                            .resource_id = request->id,
                            .ip_address = actor.ip,
                            .user_agent = actor.user_agent,
                            .session_id = actor.session_id,
                            .justification = std::string{justification},
                            .at = at};
  // Refusals are audited too, in their own commit (nothing else changes).
  std::optional<DomainError> refusal;
  if (request->status != "pending") {
    refusal = DomainError::conflict("already_decided",
                                    "this request was " + request->status + " already");
  } else if (request->requested_by == actor.admin_id) {
    refusal = DomainError::forbidden(
        "own_request", "a request is decided by a different admin than the one who made it");
  } else if (!pend::security::allows(actor.role, permission_of(*action))) {
    refusal = DomainError::forbidden(
        "missing_permission", "deciding this request needs " +
                                  std::string{pend::security::to_string(permission_of(*action))});
  }
  if (refusal) {
    record.outcome = "refused";
    record.new_values = boost::json::object{{"why", refusal->code()}};
    co_await audit::append(tx, record);
    co_await tx.commit();
    throw *refusal;
  }
  if (at >= request->expires_at) {
    co_await decide_approval(tx, request->id, "expired", std::nullopt, at, std::nullopt);
    const auto expired = expiry_record(*request, at);
    co_await audit::append(tx, expired);
    co_await tx.commit();
    figures_.expired.fetch_add(1, std::memory_order_relaxed);
    throw DomainError{DomainError::Kind::gone, "approval_expired",
                      "this request expired before it was decided"};
  }

  api::ChangeResult result{.action = request->action,
                           .resource_type = request->resource_type,
                           .resource_id = request->resource_id};
  Actor requester{.admin_id = request->requested_by};
  record.outcome = approve ? "approved" : "rejected";
  if (!approve) {
    co_await decide_approval(tx, request->id, "rejected", actor.admin_id, at,
                             std::string{justification});
    const auto audited = co_await audit::append(tx, record);
    co_await tx.commit();
    figures_.rejected.fetch_add(1, std::memory_order_relaxed);
    result.status = "rejected";
    result.old_values = nullptr;
    result.new_values = change.params;
    result.audit_id = audited.id;
    result.approval_id = request->id;
    co_return result;
  }

  boost::json::value old = co_await lock(tx, change);
  if (old.is_null())
    throw DomainError::not_found("the request's " + request->resource_type + " is gone");
  auto applied = co_await apply(tx, requester, change, std::move(old));
  co_await decide_approval(tx, request->id, "approved", actor.admin_id, at,
                           std::string{justification});
  co_await audit::append(tx, record);
  // The change's own row: who asked, why, and who approved it when.
  const audit::AuditRecord done{.admin_id = request->requested_by,
                                .action = request->action,
                                .resource_type = request->resource_type,
                                .resource_id = applied.resource_id,
                                .old_values = applied.old_values,
                                .new_values = applied.new_values,
                                .justification = request->justification,
                                .outcome = "approved",
                                .approved_by = actor.admin_id,
                                .approved_at = at,
                                .at = at};
  const auto audited = co_await audit::append(tx, done);
  co_await tx.commit();
  co_await follow_up(change);
  figures_.approved.fetch_add(1, std::memory_order_relaxed);
  log_business(actor, "ADMIN_APPROVAL_APPROVED", "an admin approved a change: " + request->action);
  result.status = "applied";
  result.resource_id = applied.resource_id;
  result.old_values = std::move(applied.old_values);
  result.new_values = std::move(applied.new_values);
  result.audit_id = audited.id;
  result.approval_id = request->id;
  result.one_time_password = std::move(applied.one_time_password);
  result.api_key = std::move(applied.api_key);
  co_return result;
}

asio::awaitable<std::uint64_t> ConsoleService::expire_overdue(const db::Scope& scope) {
  const auto at = now();
  db::Lease connection = co_await database_.acquire(scope);
  db::Transaction tx(*connection, scope);
  const auto overdue = co_await expire_approvals(tx, at);
  for (const auto& request : overdue) {
    const auto expired = expiry_record(request, at);
    co_await audit::append(tx, expired);
  }
  co_await tx.commit();
  figures_.expired.fetch_add(overdue.size(), std::memory_order_relaxed);
  co_return overdue.size();
}

}  // namespace pend::domain::console
