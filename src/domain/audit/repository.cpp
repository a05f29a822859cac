#include "domain/audit/repository.hpp"

#include "util/json.hpp"

namespace pend::domain::audit {

namespace asio = boost::asio;

namespace {

constexpr db::Statement kAppend{
    "admin_audit_logs.append",
    "INSERT INTO admin_audit_logs (admin_id, action, resource_type, resource_id, old_values, "
    "new_values, ip_address, user_agent, session_id, justification, outcome, timestamp, "
    "approval_required, approved_by, approved_at) "
    "VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::jsonb, $7::inet, $8, $9, $10, $11, $12, $13, "
    "$14::uuid, $15) "
    "RETURNING id, seq"};

std::optional<std::string> json_or_null(const boost::json::value& value) {
  if (value.is_null()) return std::nullopt;
  return util::json::serialize(value);
}

Appended appended_of(const db::Result& rows) {
  return {.id = rows[0].get<std::string>(0), .seq = rows[0].get<std::int64_t>(1)};
}

}  // namespace

asio::awaitable<Appended> append(db::Transaction& tx, const AuditRecord& r) {
  const auto rows = co_await tx.query(
      kAppend, r.admin_id, r.action, r.resource_type, r.resource_id, json_or_null(r.old_values),
      json_or_null(r.new_values), r.ip_address, r.user_agent, r.session_id, r.justification,
      r.outcome, r.at, r.approval_required, r.approved_by, r.approved_at);
  co_return appended_of(rows);
}

asio::awaitable<Appended> append(db::Database& database, const AuditRecord& r,
                                 const db::Scope& scope) {
  const auto rows =
      co_await database.query(kAppend, scope, r.admin_id, r.action, r.resource_type, r.resource_id,
                              json_or_null(r.old_values), json_or_null(r.new_values), r.ip_address,
                              r.user_agent, r.session_id, r.justification, r.outcome, r.at,
                              r.approval_required, r.approved_by, r.approved_at);
  co_return appended_of(rows);
}

}  // namespace pend::domain::audit
