#include "db/blocking_session.hpp"

#include <algorithm>
#include <optional>

namespace pend::db {
namespace {

std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

std::string with_default_parameters(
    std::string url, std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  for (const auto& [key, value] : params) {
    if (url.find(std::string{key} + "=") != std::string::npos) continue;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += key;
    url += '=';
    url += value;
  }
  return url;
}

namespace {

// The URL, with a bound on connecting so a tool or a background thread never hangs on a
// host that does not answer (libpq waits forever by default).
PGconn* connect(const std::string& url) {
  const char* keywords[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), "10", nullptr};
  return PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
}

}  // namespace

BlockingSession::BlockingSession(const std::string& url) : conn_(connect(url), &PQfinish) {
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    throw DatabaseError("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_.get())),
                        "08006");
  }
  exec("SET client_min_messages = warning");
}

Rows BlockingSession::exec(const std::string& sql) {
  return check(PQexec(conn_.get(), sql.c_str()));
}

Rows BlockingSession::exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  return check(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
}

void BlockingSession::copy_in(const std::string& copy_sql, std::string_view data) {
  copy_begin(copy_sql);
  copy_send(data);
  copy_end();
}

void BlockingSession::copy_begin(const std::string& copy_sql) {
  PGresult* start = PQexec(conn_.get(), copy_sql.c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    check(start);  // throws the server's error
    throw DatabaseError("COPY did not start", "08006");
  }
  PQclear(start);
}

void BlockingSession::copy_send(std::string_view data) {
  constexpr std::size_t kChunk = 1 << 20;
  while (!data.empty()) {
    const auto n = std::min(data.size(), kChunk);
    if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(n)) != 1) {
      throw DatabaseError(trimmed(PQerrorMessage(conn_.get())), "08006");
    }
    data.remove_prefix(n);
  }
}

void BlockingSession::copy_end() {
  PGconn* conn = conn_.get();
  if (PQputCopyEnd(conn, nullptr) != 1) throw DatabaseError(trimmed(PQerrorMessage(conn)), "08006");
  // The COPY's own result, then the end of the results; the first failure is the answer.
  std::optional<DatabaseError> failure;
  while (PGresult* result = PQgetResult(conn)) {
    try {
      check(result);
    } catch (const DatabaseError& error) {
      if (!failure) failure = error;
    }
  }
  if (failure) throw *failure;
}

Rows BlockingSession::check(PGresult* result) const {
  Rows rows(result);
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  if (result == nullptr) throw DatabaseError(trimmed(PQerrorMessage(conn_.get())), "08006");
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  throw DatabaseError(trimmed(PQresultErrorMessage(result)), state ? state : "");
}

}  // namespace pend::db
