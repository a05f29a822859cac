// Database: the server's PostgreSQL access, one Pool per shard loop. A coroutine uses the
// pool of the loop it runs on, found from its executor, so requests never share a
// connection across threads and nothing on the request path takes a lock.
//
//   db::Database database(settings);        // composition root
//   server.on_loop_start([&](auto& loop) { database.attach(loop); });
//   ...
//   Result rows = co_await database.query(kFindUser, scope, id);   // in a handler
//   db::Lease conn = co_await database.acquire(scope);                      // several statements
#pragma once

#include "config/settings.hpp"
#include "db/pool.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::db {

PoolSettings pool_settings(const config::DatabaseSettings& settings);

struct PoolTotals {
  std::int64_t open = 0, idle = 0, in_use = 0, waiting = 0;
  bool up = true;  // every shard's last connect succeeded
  std::string last_error;
};

class Database {
 public:
  explicit Database(PoolSettings settings) : settings_(std::move(settings)) {}
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Before the loop runs: gives it a pool and starts that pool's maintenance.
  void attach(boost::asio::io_context& loop);
  // After the loops have stopped and before they are destroyed: closes every pool (see
  // Pool::close) and lets go of them. Idempotent.
  void close();

  // The calling coroutine's loop's pool. Throws DatabaseError if the loop has none.
  boost::asio::awaitable<Lease> acquire(const Scope& scope = {});
  // One statement on its own: co_await database.query(kFind, scope, id). On a connection of
  // its own when one is free; pipelined with others of this loop while the pool is busy
  // (Pool::query).
  template <typename... Args>
  boost::asio::awaitable<Result> query(const Statement& statement, const Scope& scope,
                                       Args&&... args) {
    const std::array<Param, sizeof...(Args)> params{Param(std::forward<Args>(args))...};
    co_return co_await query(statement, std::span<const Param>(params), scope);
  }
  boost::asio::awaitable<Result> query(const Statement& statement, std::span<const Param> params,
                                       const Scope& scope = {});

  PoolTotals totals() const;
  void collect(metrics::PrometheusWriter& out) const;  // pool gauges, statement histograms

 private:
  Pool& local(const boost::asio::any_io_executor& executor) const;
  PoolSettings settings_;
  std::vector<std::shared_ptr<Pool>> pools_;
};

}  // namespace pend::db
