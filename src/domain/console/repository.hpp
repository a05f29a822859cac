// SQL of the admin console: the investigation searches (built by db::QueryBuilder from the
// filters given: bound values only, columns from the code), the rows a change reads and
// writes inside its transaction (FOR UPDATE, so old_values are what the change replaced),
// and the approval requests.
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "domain/console/api.hpp"
#include "util/time.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pend::domain::console {

// Filters with their values already checked and normalised (EIP-55, phone_hash).
struct UserFilter {
  std::optional<std::string> id;
  std::optional<std::string> address;
  std::optional<std::string> phone_hash;
  std::optional<std::string> status;
  std::optional<std::int64_t> tier;
  std::optional<util::Microseconds> created_from;
  std::optional<util::Microseconds> created_to;
};

// Where a page starts: the cursor's keys (a timestamp to the microsecond and an id, or a
// sequence number), empty for the first page.
struct After {
  std::vector<std::string> keys;
  bool empty() const { return keys.empty() || keys.front().empty(); }
};

boost::asio::awaitable<db::Result> search_users(db::Database& database, const db::Scope& scope,
                                                const UserFilter& filter, const After& after,
                                                std::int64_t limit);
boost::asio::awaitable<db::Result> user_row(db::Database& database, const db::Scope& scope,
                                            std::string_view id);
boost::asio::awaitable<db::Result> recent_security_events(db::Database& database,
                                                          const db::Scope& scope,
                                                          std::string_view user_id,
                                                          std::int64_t limit);
boost::asio::awaitable<db::Result> recent_audit(db::Database& database, const db::Scope& scope,
                                                std::string_view resource_type,
                                                std::string_view resource_id, std::int64_t limit);

boost::asio::awaitable<db::Result> search_security_events(db::Database& database,
                                                          const db::Scope& scope,
                                                          const api::SecurityEventQuery& query,
                                                          const After& after, std::int64_t limit);
boost::asio::awaitable<db::Result> search_logs(db::Database& database, const db::Scope& scope,
                                               const api::LogQuery& query, const After& after,
                                               std::int64_t limit);
// Every entry of one request, oldest first (at most limit).
boost::asio::awaitable<db::Result> request_story(db::Database& database, const db::Scope& scope,
                                                 std::string_view request_id, std::int64_t limit);
boost::asio::awaitable<db::Result> search_audit(db::Database& database, const db::Scope& scope,
                                                const api::AuditQuery& query, const After& after,
                                                std::int64_t limit);
boost::asio::awaitable<db::Result> list_approvals(db::Database& database, const db::Scope& scope,
                                                  std::string_view status, const After& after,
                                                  std::int64_t limit);

// The Etherscan API's keys, newest first (never a key or its hash); status filters when set.
boost::asio::awaitable<db::Result> list_api_keys(db::Database& database, const db::Scope& scope,
                                                 const std::optional<std::string>& status,
                                                 const After& after, std::int64_t limit);

// ---- inside a change's transaction -------------------------------------------------------

// The row as JSON (the columns a change may touch), locked FOR UPDATE; null when absent.
boost::asio::awaitable<boost::json::value> lock_user(db::Transaction& tx, std::string_view id);
boost::asio::awaitable<boost::json::value> lock_admin(db::Transaction& tx, std::string_view id);
boost::asio::awaitable<boost::json::value> lock_security_event(db::Transaction& tx,
                                                               std::string_view id);
boost::asio::awaitable<boost::json::value> lock_api_key(db::Transaction& tx, std::string_view id);
// A token by its address (lowercase hex without 0x); null when the tokens table has none.
boost::asio::awaitable<boost::json::value> lock_token(db::Transaction& tx,
                                                      std::string_view address_hex);
// Whether the user has a high or critical security event nobody has investigated.
boost::asio::awaitable<bool> has_open_high_severity(db::Transaction& tx, std::string_view user_id);

boost::asio::awaitable<void> set_user_status(db::Transaction& tx, std::string_view id,
                                             std::string_view status);
boost::asio::awaitable<void> set_user_tier(db::Transaction& tx, std::string_view id,
                                           std::int64_t tier);
boost::asio::awaitable<void> clear_user_lockout(db::Transaction& tx, std::string_view id);
boost::asio::awaitable<void> mark_investigated(db::Transaction& tx, std::string_view id,
                                               std::string_view admin_id, std::string_view notes,
                                               bool false_positive);

boost::asio::awaitable<void> set_admin_status(db::Transaction& tx, std::string_view id,
                                              std::string_view status);
boost::asio::awaitable<void> set_admin_role(db::Transaction& tx, std::string_view id,
                                            std::string_view role);
// Drops the authenticator and the recovery codes: the next sign-in enrols again.
boost::asio::awaitable<void> reset_admin_totp(db::Transaction& tx, std::string_view id);
// A one-time password: its hash, and a change due at the next sign-in.
boost::asio::awaitable<void> set_admin_one_time_password(db::Transaction& tx, std::string_view id,
                                                         std::string_view password_hash);
// A unique violation (db::DatabaseError 23505) when the email is taken.
boost::asio::awaitable<std::string> insert_admin(db::Transaction& tx, const api::NewAdmin& admin,
                                                 std::string_view password_hash,
                                                 util::Microseconds at);

struct NewApiKeyRow {
  std::string key_hash;
  std::string key_prefix;
  std::string name;
  std::int64_t per_second = 0;
  std::optional<std::int64_t> per_day;
  std::string created_by;  // the admin's id
};
boost::asio::awaitable<std::string> insert_api_key(db::Transaction& tx, const NewApiKeyRow& key);
boost::asio::awaitable<void> set_api_key_limits(db::Transaction& tx, std::string_view id,
                                                std::int64_t per_second,
                                                std::optional<std::int64_t> per_day);
boost::asio::awaitable<void> revoke_api_key(db::Transaction& tx, std::string_view id);
// Marks the token tracked, adding it (of type) when the tokens table has none.
boost::asio::awaitable<void> track_token(db::Transaction& tx, std::string_view address_hex,
                                         std::string_view type);
boost::asio::awaitable<void> untrack_token(db::Transaction& tx, std::string_view address_hex);

struct ApprovalRow {
  std::string id;
  std::string action;
  std::string resource_type;
  std::string resource_id;
  boost::json::value params;
  std::string justification;
  std::string requested_by;
  util::Microseconds requested_at{};
  util::Microseconds expires_at{};
  std::string status;            // pending for a new one
  std::string request_audit_id;  // the audit row of the request
};

// Files a pending request (a's id and status are the table's); its id.
boost::asio::awaitable<std::string> insert_approval(db::Transaction& tx, const ApprovalRow& a);
// The request locked FOR UPDATE, whatever its status; nullopt when there is none.
boost::asio::awaitable<std::optional<ApprovalRow>> lock_approval(db::Transaction& tx,
                                                                 std::string_view id);
// Pending requests whose time ran out, now expired (decided_at = at).
boost::asio::awaitable<std::vector<ApprovalRow>> expire_approvals(db::Transaction& tx,
                                                                  util::Microseconds at);
boost::asio::awaitable<void> decide_approval(db::Transaction& tx, std::string_view id,
                                             std::string_view status,
                                             const std::optional<std::string>& decided_by,
                                             util::Microseconds at,
                                             const std::optional<std::string>& justification);

}  // namespace pend::domain::console
