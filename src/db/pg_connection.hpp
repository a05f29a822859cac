// PgConnection: one PostgreSQL connection driven by the caller's event loop. libpq runs in
// non-blocking mode and its socket is watched through Asio, so a query never blocks a thread:
// the coroutine waits while the shard serves other requests. The building block of the
// per-shard pool.
//
//   auto conn = co_await PgConnection::connect(url, 2s);
//   PgResult rows = co_await conn->query("SELECT name FROM users WHERE id = $1", {id});
//   rows.value(0, 0);
#pragma once

#include "db/blocking_session.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pend::db {

// A query's rows in text format. NULL reads as nullopt.
class PgResult {
 public:
  PgResult() : result_(nullptr, &PQclear) {}  // empty: no rows
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  int columns() const { return result_ ? PQnfields(result_.get()) : 0; }
  std::optional<std::string> get(int row, int column) const;
  std::string value(int row, int column) const { return get(row, column).value_or(""); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

using Param = std::optional<std::string>;  // nullopt binds NULL

class PgConnection {
 public:
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects on the current coroutine's executor. Throws DatabaseError (SQLSTATE 08006 when
  // the server cannot be reached, 57014 on timeout).
  static boost::asio::awaitable<std::unique_ptr<PgConnection>> connect(
      std::string url, std::chrono::milliseconds timeout);

  // One statement with $1.. parameters. Throws DatabaseError with PostgreSQL's SQLSTATE; after
  // a connection failure (08xxx) the connection is broken for good.
  boost::asio::awaitable<PgResult> query(std::string sql, std::vector<Param> params = {});

  bool broken() const { return broken_; }
  std::chrono::nanoseconds busy_time() const { return busy_time_; }  // summed query time

 private:
  PgConnection(PGconn* conn, boost::asio::posix::stream_descriptor socket);
  boost::asio::awaitable<void> wait(boost::asio::posix::descriptor_base::wait_type what);
  [[noreturn]] void fail(PGresult* result);

  PGconn* conn_;
  boost::asio::posix::stream_descriptor socket_;  // watches libpq's socket; never closes it
  bool broken_ = false;
  std::chrono::nanoseconds busy_time_{0};
};

}  // namespace pend::db
