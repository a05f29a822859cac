// BlockingSession: a plain libpq connection for the tools that run outside the request path
// (migrate, seed, partition maintenance on its own thread). Errors become DatabaseError with
// PostgreSQL's message and SQLSTATE; the connection URL, which may hold a password, is never
// part of one.
//
//   BlockingSession session(url);
//   auto rows = session.exec("SELECT name FROM t WHERE id = $1", {"42"});
//   std::string name = rows.value(0, 0);
#pragma once

#include "db/error.hpp"

#include <libpq-fe.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pend::db {

class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  std::string value(int row, int column) const { return PQgetvalue(result_.get(), row, column); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// A postgresql:// URL with each parameter added that it does not set itself (so an
// operator's own value wins): bounds for the sessions of background threads.
std::string with_default_parameters(
    std::string url, std::initializer_list<std::pair<std::string_view, std::string_view>> params);

class BlockingSession {
 public:
  explicit BlockingSession(const std::string& url);

  Rows exec(const std::string& sql);  // may hold several statements
  Rows exec(const std::string& sql, const std::vector<std::string>& params);
  // COPY ... FROM STDIN with data in COPY's text format (see CopyEncoder), sent in chunks.
  void copy_in(const std::string& copy_sql, std::string_view data);
  // The same, streamed: the server works on the rows sent while the caller prepares the next
  // ones. copy_end() returns once the COPY committed (outside a transaction) and throws what
  // the server refused.
  void copy_begin(const std::string& copy_sql);
  void copy_send(std::string_view data);
  void copy_end();

 private:
  Rows check(PGresult* result) const;
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace pend::db
