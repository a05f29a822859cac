// The admin audit trail's writer: one row per admin action, allowed or refused, in the
// caller's transaction when it has one (the row commits with the change it records). The
// database chains it (migrations/010: seq, prev_hash, row_hash; appends serialised);
// nothing here can update or delete a row.
//
//   co_await audit::append(tx, {.admin_id = id, .action = "user.suspend", ...});
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "util/time.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace pend::domain::audit {

struct AuditRecord {
  std::optional<std::string> admin_id;
  std::string action;  // "admin.sign_in", "user.suspend", ...
  std::optional<std::string> resource_type;
  std::optional<std::string> resource_id;
  boost::json::value old_values;  // null: none
  boost::json::value new_values;
  std::optional<std::string> ip_address;
  std::optional<std::string> user_agent;
  std::optional<std::string> session_id;
  std::optional<std::string> justification;
  std::string outcome = "allowed";  // allowed, refused, pending, approved, rejected, expired
  // Four-eyes: the request of an action that waits for approval says approval_required;
  // the action's own row, once approved, names who approved it and when.
  bool approval_required = false;
  std::optional<std::string> approved_by;
  std::optional<util::Microseconds> approved_at;
  util::Microseconds at{};
};

struct Appended {
  std::string id;
  std::int64_t seq = 0;
};

boost::asio::awaitable<Appended> append(db::Transaction& tx, const AuditRecord& record);
boost::asio::awaitable<Appended> append(db::Database& database, const AuditRecord& record,
                                        const db::Scope& scope);

}  // namespace pend::domain::audit
