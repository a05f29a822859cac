#include "db/error.hpp"

namespace pend::db {

std::string trimmed_message(std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  return std::string{message};
}

bool DatabaseError::unavailable() const {
  const std::string_view state = sqlstate_;
  return state.starts_with("08")     // connection exception
         || state.starts_with("57")  // operator intervention: shutdown, cancel, timeout
         || state.starts_with("53")  // insufficient resources, our pool exhausted
         || state == "40001"         // serialization failure: retry
         || state == "40P01";        // deadlock detected: retry
}

DatabaseError DatabaseError::from_result(const PGresult* result) {
  auto field = [result](int code) -> std::string {
    const char* value = PQresultErrorField(result, code);
    return value ? value : "";
  };
  std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = trimmed_message(PQresultErrorMessage(result));
  DatabaseError error(message.empty() ? "PostgreSQL query failed" : message,
                      field(PG_DIAG_SQLSTATE));
  error.constraint_ = field(PG_DIAG_CONSTRAINT_NAME);
  error.column_ = field(PG_DIAG_COLUMN_NAME);
  return error;
}

}  // namespace pend::db
