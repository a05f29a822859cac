// The admin console's changes (docs/architecture/admin.md, "Changes and approvals"). Each
// change is one transaction: the row it touches is read FOR UPDATE (old_values), changed,
// read again (new_values) and its audit row appended, all committed together. A change that
// an approval rule in admin.approval_required covers does not run: it becomes a pending
// request (admin_approvals plus an audit row with approval_required) that a different admin
// holding the change's permission approves, which runs it once, or rejects; requests expire
// after admin.approval_ttl_seconds. Effects outside PostgreSQL (ending sessions, deleting
// cache keys) follow the commit.
//
//   console::Change change{.action = Action::user_suspend, .resource_id = id,
//                          .justification = "chargeback fraud"};
//   api::ChangeResult done = co_await service.request(actor, change, scope);
#pragma once

#include "cache/cache_service.hpp"
#include "cache/session_store.hpp"
#include "db/database.hpp"
#include "domain/common/deps.hpp"
#include "domain/console/api.hpp"
#include "domain/console/repository.hpp"
#include "security/permissions.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace pend::http {
struct RequestContext;
}

namespace pend::domain::console {

enum class Action : std::uint8_t {
  user_suspend,
  user_reactivate,
  user_close,
  user_tier,
  user_unlock,
  user_revoke_sessions,
  security_event_investigate,
  admin_create,
  admin_disable,
  admin_reset_totp,
  admin_reset_password,  // a one-time password (an admin imported by import-legacy has none)
  admin_role,
  cache_invalidate,
  kyc_decide,      // a KYC submission approved or rejected (domain/kyc)
  api_key_create,  // an Etherscan API key (domain/explorer/api_keys.hpp), given once
  api_key_limits,
  api_key_revoke,
  asset_track,  // a token the wallet app shows (resource id: its EIP-55 address)
  asset_untrack,
};

std::string_view action_name(Action action);  // "user.suspend"
std::optional<Action> parse_action(std::string_view name);
std::string_view resource_type_of(Action action);  // "user", "admin", "security_event", "cache"
pend::security::Permission permission_of(Action action);

// Who asks, as the audit trail records them.
struct Actor {
  std::string admin_id;
  std::string session_id;
  pend::security::Role role = pend::security::Role::viewer;
  std::string ip;
  std::string user_agent;
};

// The admin making a request, with the address and agent the audit trail records.
Actor actor_of(const http::RequestContext& ctx, const config::AuthSettings& settings);

struct Change {
  Action action = Action::user_suspend;
  std::string resource_id;     // the user's, admin's or event's id; the pattern for the cache
  boost::json::object params;  // tier, role, notes and false_positive, the new admin
  std::string justification;
};

struct ConsoleFigures {
  std::atomic<std::uint64_t> applied{0};
  std::atomic<std::uint64_t> pending{0};
  std::atomic<std::uint64_t> approved{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> expired{0};
};

class ConsoleService {
 public:
  explicit ConsoleService(const Deps& deps);

  // Runs the change, or files it for approval when a rule covers it. A refusal (409 for a
  // transition that does not apply, 404 for no such row) changes nothing and is audited
  // with outcome refused.
  boost::asio::awaitable<api::ChangeResult> request(const Actor& actor, const Change& change,
                                                    const db::Scope& scope);
  // A different admin with the change's permission decides a pending request.
  boost::asio::awaitable<api::ChangeResult> approve(const Actor& actor, std::string_view id,
                                                    std::string_view justification,
                                                    const db::Scope& scope);
  boost::asio::awaitable<api::ChangeResult> reject(const Actor& actor, std::string_view id,
                                                   std::string_view justification,
                                                   const db::Scope& scope);
  // Marks requests past their time expired (each with its audit row); how many.
  boost::asio::awaitable<std::uint64_t> expire_overdue(const db::Scope& scope);

  const ConsoleFigures& figures() const { return figures_; }

 private:
  struct Applied {
    boost::json::value old_values;
    boost::json::value new_values;
    std::optional<std::string> one_time_password;
    std::optional<std::string> api_key;
    std::string resource_id;
  };

  util::Microseconds now() const;
  boost::asio::awaitable<api::ChangeResult> attempt(const Actor& actor, const Change& change,
                                                    const db::Scope& scope);
  // The approval rule (admin.approval_required) that covers this change, if any.
  boost::asio::awaitable<std::optional<std::string>> rule_for(db::Transaction& tx,
                                                              const Change& change,
                                                              const boost::json::value& old);
  boost::asio::awaitable<boost::json::value> lock(db::Transaction& tx, const Change& change);
  boost::asio::awaitable<Applied> apply(db::Transaction& tx, const Actor& actor,
                                        const Change& change, boost::json::value old);
  boost::asio::awaitable<void> decide_kyc(db::Transaction& tx, const Actor& actor,
                                          const Change& change, const boost::json::value& old);
  // After the commit: sessions ended, cache keys deleted.
  boost::asio::awaitable<void> follow_up(const Change& change);
  boost::asio::awaitable<api::ChangeResult> decide(const Actor& actor, std::string_view id,
                                                   std::string_view justification, bool approve,
                                                   const db::Scope& scope);

  const config::AdminSettings& settings_;
  const config::KycSettings& kyc_;
  const util::Clock& clock_;
  db::Database& database_;
  cache::SessionStore& sessions_;
  cache::CacheService* cache_;
  util::WorkPool& work_;
  ConsoleFigures figures_;
};

}  // namespace pend::domain::console
