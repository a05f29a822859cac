#include "domain/console/repository.hpp"

#include "db/query_builder.hpp"
#include "db/value.hpp"
#include "domain/common/pagination.hpp"
#include "util/enum_name.hpp"
#include "util/json.hpp"

namespace pend::domain::console {

namespace asio = boost::asio;

namespace {

// A timestamp as a cursor key: to the microsecond, UTC, RFC 3339.
#define PEND_CURSOR_AT(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// What an admin sees of a user: never phone_hash.
#define PEND_USER_VIEW                                                     \
  "id, blockchain_address AS address, tier, status, country_code, email, " \
  "host(registration_ip) AS registration_ip, last_login_at, login_count, " \
  "failed_login_attempts, locked_until, lockouts, created_at, updated_at"

#define PEND_EVENT_VIEW                                                             \
  "id, timestamp, event_type, severity, user_id, host(ip_address) AS ip_address, "  \
  "user_agent, endpoint, threat_indicators, automatic_action_taken, investigated, " \
  "investigated_by, investigation_notes, false_positive"

#define PEND_AUDIT_VIEW                                                                 \
  "id, seq, timestamp, admin_id, action, resource_type, resource_id, old_values, "      \
  "new_values, host(ip_address) AS ip_address, user_agent, session_id, justification, " \
  "approval_required, approved_by, approved_at, outcome, encode(row_hash, 'hex') AS row_hash"

#define PEND_LOG_VIEW                                                                       \
  "id, timestamp, level, category, event_type, user_id, admin_id, session_id, request_id, " \
  "correlation_id, host(ip_address) AS ip_address, user_agent, endpoint, method, "          \
  "status_code, response_time_ms, request_size_bytes, response_size_bytes, error_code, "    \
  "error_message, error_stack, request_data, response_data, metadata"

constexpr db::SortOption kNewestFirst[] = {{"time", "created_at, id"}};
constexpr db::SortOption kEventsNewestFirst[] = {{"time", "timestamp, id"}};
constexpr db::SortOption kAuditNewestFirst[] = {{"seq", "seq"}};
constexpr db::SortOption kOldestFirst[] = {{"time", "requested_at, id"}};

constexpr db::Statement kUserRow{"console.user",
                                 "SELECT " PEND_USER_VIEW " FROM users WHERE id = $1::uuid"};
constexpr db::Statement kUserEvents{"console.user_events",
                                    "SELECT " PEND_EVENT_VIEW
                                    " FROM security_events WHERE user_id = $1::uuid "
                                    "ORDER BY timestamp DESC, id DESC LIMIT $2"};
constexpr db::Statement kResourceAudit{
    "console.resource_audit", "SELECT " PEND_AUDIT_VIEW
                              " FROM admin_audit_logs WHERE resource_type = $1 AND "
                              "resource_id = $2 ORDER BY timestamp DESC, seq DESC LIMIT $3"};
constexpr db::Statement kRequestStory{"console.request_story",
                                      "SELECT " PEND_LOG_VIEW
                                      " FROM server_logs WHERE request_id = $1 "
                                      "ORDER BY timestamp, id LIMIT $2"};

constexpr db::Statement kLockUser{
    "console.lock_user",
    "SELECT id, status, tier, failed_login_attempts, locked_until, lockouts "
    "FROM users WHERE id = $1::uuid FOR UPDATE"};
constexpr db::Statement kLockAdmin{
    "console.lock_admin",
    "SELECT id, email, role, status, totp_secret_encrypted IS NOT NULL AS totp_enrolled, "
    "password_must_change FROM admin_users WHERE id = $1::uuid FOR UPDATE"};
constexpr db::Statement kLockEvent{
    "console.lock_event",
    "SELECT id, event_type, severity, investigated, investigated_by, investigation_notes, "
    "false_positive FROM security_events WHERE id = $1::uuid FOR UPDATE"};
constexpr db::Statement kOpenHighSeverity{
    "console.open_high_severity",
    "SELECT EXISTS (SELECT 1 FROM security_events WHERE user_id = $1::uuid "
    "AND severity IN ('high', 'critical') AND NOT coalesce(investigated, false))"};

#define PEND_API_KEY_VIEW                                                                   \
  "id, name, key_prefix, per_second, per_day, status, created_by, created_at, updated_at, " \
  "last_used_at, revoked_at"
constexpr db::Statement kLockApiKey{"console.lock_api_key",
                                    "SELECT " PEND_API_KEY_VIEW
                                    " FROM api_keys WHERE id = $1::uuid FOR UPDATE"};
constexpr db::Statement kInsertApiKey{
    "console.insert_api_key",
    "INSERT INTO api_keys (key_hash, key_prefix, name, per_second, per_day, created_by) "
    "VALUES ($1, $2, $3, $4, $5, $6::uuid) RETURNING id::text"};
constexpr db::Statement kSetApiKeyLimits{
    "console.set_api_key_limits",
    "UPDATE api_keys SET per_second = $2, per_day = $3, updated_at = now() WHERE id = $1::uuid"};
constexpr db::Statement kRevokeApiKey{
    "console.revoke_api_key",
    "UPDATE api_keys SET status = 'revoked', revoked_at = now(), updated_at = now() "
    "WHERE id = $1::uuid"};
constexpr db::Statement kLockToken{
    "console.lock_token",
    "SELECT '0x' || encode(contract_address, 'hex') AS address, type, name, symbol, decimals, "
    "tracked FROM tokens WHERE contract_address = decode($1, 'hex') FOR UPDATE"};
constexpr db::Statement kTrackToken{
    "console.track_token",
    "INSERT INTO tokens (contract_address, type, tracked) VALUES (decode($1, 'hex'), $2, true) "
    "ON CONFLICT (contract_address) DO UPDATE SET tracked = true"};
constexpr db::Statement kUntrackToken{
    "console.untrack_token",
    "UPDATE tokens SET tracked = false WHERE contract_address = decode($1, 'hex')"};

constexpr db::Statement kSetUserStatus{"console.set_user_status",
                                       "UPDATE users SET status = $2 WHERE id = $1::uuid"};
constexpr db::Statement kSetUserTier{"console.set_user_tier",
                                     "UPDATE users SET tier = $2 WHERE id = $1::uuid"};
constexpr db::Statement kClearLockout{
    "console.clear_lockout",
    "UPDATE users SET failed_login_attempts = 0, locked_until = NULL, lockouts = 0 "
    "WHERE id = $1::uuid"};
constexpr db::Statement kInvestigate{
    "console.investigate",
    "UPDATE security_events SET investigated = true, investigated_by = $2::uuid, "
    "investigation_notes = $3, false_positive = $4 WHERE id = $1::uuid"};

constexpr db::Statement kSetAdminStatus{"console.set_admin_status",
                                        "UPDATE admin_users SET status = $2 WHERE id = $1::uuid"};
constexpr db::Statement kSetAdminRole{"console.set_admin_role",
                                      "UPDATE admin_users SET role = $2 WHERE id = $1::uuid"};
constexpr db::Statement kResetTotp{
    "console.reset_totp",
    "UPDATE admin_users SET totp_secret_encrypted = NULL, totp_pending_encrypted = NULL, "
    "totp_last_step = NULL, totp_enrolled_at = NULL WHERE id = $1::uuid"};
constexpr db::Statement kSetOneTimePassword{
    "console.set_one_time_password",
    "UPDATE admin_users SET password_hash = $2, password_must_change = true, "
    "failed_login_attempts = 0, locked_until = NULL, updated_at = now() WHERE id = $1::uuid"};
constexpr db::Statement kDropRecoveryCodes{
    "console.drop_recovery_codes", "DELETE FROM admin_recovery_codes WHERE admin_id = $1::uuid"};
constexpr db::Statement kInsertAdmin{
    "console.insert_admin",
    "INSERT INTO admin_users (email, display_name, password_hash, role, password_must_change, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, true, $5, $5) RETURNING id"};

constexpr db::Statement kInsertApproval{
    "console.insert_approval",
    "INSERT INTO admin_approvals (action, resource_type, resource_id, params, justification, "
    "requested_by, requested_at, expires_at, request_audit_id) "
    "VALUES ($1, $2, $3, $4::jsonb, $5, $6::uuid, $7, $8, $9::uuid) RETURNING id"};
constexpr db::Statement kLockApproval{
    "console.lock_approval",
    "SELECT id, action, resource_type, resource_id, params, justification, requested_by, "
    "requested_at, expires_at, status, request_audit_id FROM admin_approvals "
    "WHERE id = $1::uuid FOR UPDATE"};
constexpr db::Statement kExpireApprovals{
    "console.expire_approvals",
    "UPDATE admin_approvals SET status = 'expired', decided_at = $1 "
    "WHERE status = 'pending' AND expires_at <= $1 RETURNING id, action, resource_type, "
    "resource_id, params, justification, requested_by, requested_at, expires_at, status, "
    "request_audit_id"};
constexpr db::Statement kDecideApproval{
    "console.decide_approval",
    "UPDATE admin_approvals SET status = $2, decided_by = $3::uuid, decided_at = $4, "
    "decision_justification = $5 WHERE id = $1::uuid AND status = 'pending'"};

// The time range of a filter, when given.
void add_range(db::QueryBuilder& q, const std::optional<util::Microseconds>& from,
               const std::optional<util::Microseconds>& to) {
  if (from) q.where("timestamp >= $", *from);
  if (to) q.where("timestamp < $", *to);
}

}  // namespace

asio::awaitable<db::Result> search_users(db::Database& database, const db::Scope& scope,
                                         const UserFilter& f, const After& after,
                                         std::int64_t limit) {
  db::QueryBuilder q{"console.search_users",
                     "SELECT " PEND_USER_VIEW ", " PEND_CURSOR_AT(
                         "created_at") " AS cursor_at, id::text AS cursor_id FROM users"};
  q.where("created_at IS NOT NULL");
  if (f.id) q.where("id = $::uuid", *f.id);
  if (f.address) q.where("blockchain_address = $", *f.address);
  if (f.phone_hash) q.where("phone_hash = $", *f.phone_hash);
  if (f.status) q.where("status = $", *f.status);
  if (f.tier) q.where("tier = $", *f.tier);
  if (f.created_from) q.where("created_at >= $", *f.created_from);
  if (f.created_to) q.where("created_at < $", *f.created_to);
  if (!after.empty()) {
    q.where("(created_at, id) < ($::timestamptz, $::uuid)", after.keys[0], after.keys[1]);
  }
  q.order_by("", kNewestFirst, db::Direction::descending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<db::Result> list_api_keys(db::Database& database, const db::Scope& scope,
                                          const std::optional<std::string>& status,
                                          const After& after, std::int64_t limit) {
  db::QueryBuilder q{"console.list_api_keys",
                     "SELECT " PEND_API_KEY_VIEW ", " PEND_CURSOR_AT(
                         "created_at") " AS cursor_at, id::text AS cursor_id FROM api_keys"};
  if (status) q.where("status = $", *status);
  if (!after.empty()) {
    q.where("(created_at, id) < ($::timestamptz, $::uuid)", after.keys[0], after.keys[1]);
  }
  q.order_by("", kNewestFirst, db::Direction::descending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<db::Result> user_row(db::Database& database, const db::Scope& scope,
                                     std::string_view id) {
  co_return co_await database.query(kUserRow, scope, id);
}

asio::awaitable<db::Result> recent_security_events(db::Database& database, const db::Scope& scope,
                                                   std::string_view user_id, std::int64_t limit) {
  co_return co_await database.query(kUserEvents, scope, user_id, limit);
}

asio::awaitable<db::Result> recent_audit(db::Database& database, const db::Scope& scope,
                                         std::string_view resource_type,
                                         std::string_view resource_id, std::int64_t limit) {
  co_return co_await database.query(kResourceAudit, scope, resource_type, resource_id, limit);
}

asio::awaitable<db::Result> search_security_events(db::Database& database, const db::Scope& scope,
                                                   const api::SecurityEventQuery& query,
                                                   const After& after, std::int64_t limit) {
  db::QueryBuilder q{"console.search_security_events",
                     "SELECT " PEND_EVENT_VIEW ", " PEND_CURSOR_AT(
                         "timestamp") " AS cursor_at, id::text AS cursor_id FROM security_events"};
  if (query.type) q.where("event_type = $", *query.type);
  if (query.severity) q.where("severity = $", util::enum_name(*query.severity));
  if (query.ip_address) q.where("ip_address = $::inet", *query.ip_address);
  if (query.user_id) q.where("user_id = $::uuid", *query.user_id);
  if (query.investigated) q.where("coalesce(investigated, false) = $", *query.investigated);
  add_range(q, query.from, query.to);
  if (!after.empty()) {
    q.where("(timestamp, id) < ($::timestamptz, $::uuid)", after.keys[0], after.keys[1]);
  }
  q.order_by("", kEventsNewestFirst, db::Direction::descending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<db::Result> search_logs(db::Database& database, const db::Scope& scope,
                                        const api::LogQuery& query, const After& after,
                                        std::int64_t limit) {
  db::QueryBuilder q{"console.search_logs",
                     "SELECT " PEND_LOG_VIEW ", " PEND_CURSOR_AT(
                         "timestamp") " AS cursor_at, id::text AS cursor_id FROM server_logs"};
  add_range(q, query.from, query.to);  // required (api::LogQuery): prunes the partitions
  if (query.level) q.where("level = $", util::enum_name(*query.level));
  if (query.category) q.where("category = $", *query.category);
  if (query.event_type) q.where("event_type = $", *query.event_type);
  if (query.request_id) q.where("request_id = $", *query.request_id);
  if (query.correlation_id) q.where("correlation_id = $", *query.correlation_id);
  if (query.user_id) q.where("user_id = $::uuid", *query.user_id);
  if (query.endpoint) q.where("endpoint = $", *query.endpoint);
  if (!after.empty()) {
    q.where("(timestamp, id) < ($::timestamptz, $::uuid)", after.keys[0], after.keys[1]);
  }
  q.order_by("", kEventsNewestFirst, db::Direction::descending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<db::Result> request_story(db::Database& database, const db::Scope& scope,
                                          std::string_view request_id, std::int64_t limit) {
  co_return co_await database.query(kRequestStory, scope, request_id, limit);
}

asio::awaitable<db::Result> search_audit(db::Database& database, const db::Scope& scope,
                                         const api::AuditQuery& query, const After& after,
                                         std::int64_t limit) {
  db::QueryBuilder q{"console.search_audit",
                     "SELECT " PEND_AUDIT_VIEW ", seq::text AS cursor_seq FROM admin_audit_logs"};
  if (query.admin_id) q.where("admin_id = $::uuid", *query.admin_id);
  if (query.resource_type) q.where("resource_type = $", *query.resource_type);
  if (query.resource_id) q.where("resource_id = $", *query.resource_id);
  if (query.action) q.where("action = $", *query.action);
  if (query.outcome) q.where("outcome = $", util::enum_name(*query.outcome));
  add_range(q, query.from, query.to);
  if (!after.empty()) q.where("seq < $::int8", after.keys[0]);
  q.order_by("", kAuditNewestFirst, db::Direction::descending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<db::Result> list_approvals(db::Database& database, const db::Scope& scope,
                                           std::string_view status, const After& after,
                                           std::int64_t limit) {
  db::QueryBuilder q{"console.list_approvals",
                     "SELECT id, action, resource_type, resource_id, params, justification, "
                     "requested_by, requested_at, expires_at, status, decided_by, decided_at, "
                     "decision_justification, request_audit_id, " PEND_CURSOR_AT(
                         "requested_at") " AS cursor_at, id::text AS cursor_id "
                                         "FROM admin_approvals"};
  q.where("status = $", status);
  if (!after.empty()) {
    q.where("(requested_at, id) > ($::timestamptz, $::uuid)", after.keys[0], after.keys[1]);
  }
  q.order_by("", kOldestFirst, db::Direction::ascending);
  q.limit(limit + 1);
  co_return co_await q.run(database, scope);
}

asio::awaitable<boost::json::value> lock_user(db::Transaction& tx, std::string_view id) {
  co_return first_row(co_await tx.query(kLockUser, id));
}

asio::awaitable<boost::json::value> lock_admin(db::Transaction& tx, std::string_view id) {
  co_return first_row(co_await tx.query(kLockAdmin, id));
}

asio::awaitable<boost::json::value> lock_security_event(db::Transaction& tx, std::string_view id) {
  co_return first_row(co_await tx.query(kLockEvent, id));
}

asio::awaitable<boost::json::value> lock_api_key(db::Transaction& tx, std::string_view id) {
  co_return first_row(co_await tx.query(kLockApiKey, id));
}

asio::awaitable<boost::json::value> lock_token(db::Transaction& tx, std::string_view address_hex) {
  co_return first_row(co_await tx.query(kLockToken, address_hex));
}

asio::awaitable<std::string> insert_api_key(db::Transaction& tx, const NewApiKeyRow& key) {
  const auto rows = co_await tx.query(kInsertApiKey, key.key_hash, key.key_prefix, key.name,
                                      key.per_second, key.per_day, key.created_by);
  co_return rows[0].get<std::string>(0);
}

asio::awaitable<void> set_api_key_limits(db::Transaction& tx, std::string_view id,
                                         std::int64_t per_second,
                                         std::optional<std::int64_t> per_day) {
  co_await tx.query(kSetApiKeyLimits, id, per_second, per_day);
}

asio::awaitable<void> revoke_api_key(db::Transaction& tx, std::string_view id) {
  co_await tx.query(kRevokeApiKey, id);
}

asio::awaitable<void> track_token(db::Transaction& tx, std::string_view address_hex,
                                  std::string_view type) {
  co_await tx.query(kTrackToken, address_hex, type);
}

asio::awaitable<void> untrack_token(db::Transaction& tx, std::string_view address_hex) {
  co_await tx.query(kUntrackToken, address_hex);
}

asio::awaitable<bool> has_open_high_severity(db::Transaction& tx, std::string_view user_id) {
  const auto rows = co_await tx.query(kOpenHighSeverity, user_id);
  co_return rows[0].get<bool>(0);
}

asio::awaitable<void> set_user_status(db::Transaction& tx, std::string_view id,
                                      std::string_view status) {
  co_await tx.query(kSetUserStatus, id, status);
}

asio::awaitable<void> set_user_tier(db::Transaction& tx, std::string_view id, std::int64_t tier) {
  co_await tx.query(kSetUserTier, id, tier);
}

asio::awaitable<void> clear_user_lockout(db::Transaction& tx, std::string_view id) {
  co_await tx.query(kClearLockout, id);
}

asio::awaitable<void> mark_investigated(db::Transaction& tx, std::string_view id,
                                        std::string_view admin_id, std::string_view notes,
                                        bool false_positive) {
  co_await tx.query(kInvestigate, id, admin_id, notes, false_positive);
}

asio::awaitable<void> set_admin_status(db::Transaction& tx, std::string_view id,
                                       std::string_view status) {
  co_await tx.query(kSetAdminStatus, id, status);
}

asio::awaitable<void> set_admin_role(db::Transaction& tx, std::string_view id,
                                     std::string_view role) {
  co_await tx.query(kSetAdminRole, id, role);
}

asio::awaitable<void> set_admin_one_time_password(db::Transaction& tx, std::string_view id,
                                                  std::string_view password_hash) {
  co_await tx.query(kSetOneTimePassword, id, password_hash);
}

asio::awaitable<void> reset_admin_totp(db::Transaction& tx, std::string_view id) {
  co_await tx.query(kResetTotp, id);
  co_await tx.query(kDropRecoveryCodes, id);
}

asio::awaitable<std::string> insert_admin(db::Transaction& tx, const api::NewAdmin& admin,
                                          std::string_view password_hash, util::Microseconds at) {
  const auto role = util::enum_name(admin.role);
  const auto rows =
      co_await tx.query(kInsertAdmin, admin.email, admin.display_name, password_hash, role, at);
  co_return rows[0].get<std::string>(0);
}

asio::awaitable<std::string> insert_approval(db::Transaction& tx, const ApprovalRow& a) {
  const std::string params = util::json::serialize(a.params);
  const auto rows = co_await tx.query(kInsertApproval, a.action, a.resource_type, a.resource_id,
                                      params, a.justification, a.requested_by, a.requested_at,
                                      a.expires_at, a.request_audit_id);
  co_return rows[0].get<std::string>(0);
}

static ApprovalRow approval_of(const db::Row& row) {
  return ApprovalRow{.id = row.get<std::string>(0),
                     .action = row.get<std::string>(1),
                     .resource_type = row.get<std::string>(2),
                     .resource_id = row.get<std::string>(3),
                     .params = row.get<boost::json::value>(4),
                     .justification = row.get<std::string>(5),
                     .requested_by = row.get<std::string>(6),
                     .requested_at = row.get<db::Timestamp>(7),
                     .expires_at = row.get<db::Timestamp>(8),
                     .status = row.get<std::string>(9),
                     .request_audit_id = row.get<std::string>(10)};
}

asio::awaitable<std::optional<ApprovalRow>> lock_approval(db::Transaction& tx,
                                                          std::string_view id) {
  const auto rows = co_await tx.query(kLockApproval, id);
  if (rows.empty()) co_return std::nullopt;
  co_return approval_of(rows[0]);
}

asio::awaitable<std::vector<ApprovalRow>> expire_approvals(db::Transaction& tx,
                                                           util::Microseconds at) {
  const auto rows = co_await tx.query(kExpireApprovals, at);
  std::vector<ApprovalRow> out;
  for (const db::Row row : rows) out.push_back(approval_of(row));
  co_return out;
}

asio::awaitable<void> decide_approval(db::Transaction& tx, std::string_view id,
                                      std::string_view status,
                                      const std::optional<std::string>& decided_by,
                                      util::Microseconds at,
                                      const std::optional<std::string>& justification) {
  co_await tx.query(kDecideApproval, id, status, decided_by, at, justification);
}

}  // namespace pend::domain::console
