// DatabaseError: every failure of the data layer, carrying PostgreSQL's SQLSTATE so callers
// and the request boundary can tell a conflict from an outage. The message is PostgreSQL's
// primary message only: never the DETAIL (which quotes row values such as phone numbers) and
// never the connection URL (which may hold a password).
#pragma once

#include <libpq-fe.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace pend::db {

class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(const std::string& message, std::string sqlstate = {})
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}

  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }  // 23xxx: which constraint
  const std::string& column() const { return column_; }          // 23502: which column

  // The server is gone or did not answer in time: retrying later may work.
  bool unavailable() const;
  bool timed_out() const { return sqlstate_ == "57014"; }

  // From a failed result (PQresultStatus FATAL_ERROR); consumes nothing.
  static DatabaseError from_result(const PGresult* result);

 private:
  std::string sqlstate_;
  std::string constraint_;
  std::string column_;
};

// SQLSTATEs this layer raises itself.
namespace sqlstate {
inline constexpr std::string_view kConnectionFailure = "08006";
inline constexpr std::string_view kQueryCanceled = "57014";       // statement timeout, cancel
inline constexpr std::string_view kTooManyConnections = "53300";  // pool exhausted
inline constexpr std::string_view kProtocolViolation = "08P01";
}  // namespace sqlstate

std::string trimmed_message(std::string_view message);

}  // namespace pend::db
