// Pool: one shard's PostgreSQL connections. Lives on the shard's event loop and is used only
// from it, so leasing a connection takes no lock. Keeps min_connections open, opens more up
// to max_connections on demand, makes callers wait (up to the acquire timeout) beyond that,
// drops connections the server closed, and heals by itself after an outage: while the
// server is unreachable, callers fail at once with 08006 and a background loop reconnects
// with exponential backoff. Figures for readiness and /metrics are atomics, readable from
// any thread.
//
//   db::Lease conn = co_await pool.acquire(scope);
//   Result rows = co_await conn->query(kStatement, scope, id);
//   // the lease returns the connection when it goes out of scope
#pragma once

#include "db/pg_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace pend::db {

struct PoolSettings {
  ConnectionOptions connection;
  unsigned min_connections = 1;  // per shard
  unsigned max_connections = 8;  // per shard
  // Single statements (query) in flight on more than this many connections at once queue
  // and ride pipelined batches instead of taking more; at max_connections or more they
  // share only when every connection is busy.
  unsigned coalesce_at = 2;
  // A queued statement that has waited this long with connections to spare gets one more
  // carrier, so slow statements in flight cannot hold the quick ones behind them.
  std::chrono::milliseconds coalesce_wait{5};
  std::chrono::milliseconds acquire_timeout{2'000};
  std::chrono::milliseconds reconnect_min{100};  // backoff after a failed connect, doubling
  std::chrono::milliseconds reconnect_max{5'000};
};

struct PoolFigures {
  std::atomic<std::int64_t> open{0};  // connected or connecting
  std::atomic<std::int64_t> idle{0};
  std::atomic<std::int64_t> in_use{0};
  std::atomic<std::int64_t> waiting{0};  // callers waiting for a connection
  std::atomic<bool> up{true};            // false while connecting fails
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> acquire_timeouts{0};
  std::atomic<std::uint64_t> discarded{0};  // found closed, broken, cancelled or abandoned
  std::atomic<std::uint64_t> coalesced{0};  // single statements sent in a batch (Pool::query)
  std::atomic<std::uint64_t> batches{0};    // the round trips that carried them
};

class Pool;

// A leased connection; returns it to its pool when destroyed (on the pool's loop).
class Lease {
 public:
  Lease() = default;
  Lease(std::shared_ptr<Pool> pool, std::unique_ptr<PgConnection> connection);
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  PgConnection& operator*() const { return *connection_; }
  PgConnection* operator->() const { return connection_.get(); }
  explicit operator bool() const { return connection_ != nullptr; }

 private:
  void give_back();
  std::shared_ptr<Pool> pool_;
  std::unique_ptr<PgConnection> connection_;
};

// Per-statement duration histograms, written by one loop and read by /metrics.
struct StatementSeries {
  static constexpr std::array<double, 16> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                      1,      2.5,     5,      10};
  std::string name;
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> sum_ns{0};
  std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};  // non-cumulative
};

class Pool : public std::enable_shared_from_this<Pool>, private QueryRecorder {
 public:
  Pool(boost::asio::io_context& loop, PoolSettings settings);
  ~Pool() override;

  void start();  // spawns the maintenance loop (opens min_connections, reconnects, watchdog)
  // With the loop no longer running (after the server stopped): drop idle connections and
  // refuse leases from now on. Leases still out close their connection when returned.
  void close();

  boost::asio::awaitable<Lease> acquire(const Scope& scope = {});

  // A single statement on its own (no transaction). It first waits out the loop's current
  // turn (one post): the statements that reach the pool in that turn (the other requests of
  // the same wake-up) join it, and they go together as one pipelined Batch
  // (Mode::independent: each its own implicit transaction, exactly as if sent alone); alone,
  // it goes as it is. While fewer than coalesce_at carry single statements, that takes a
  // connection of its own; after that, statements arriving are queued and go the same way,
  // up to kMaxCoalesced a round trip, on the next carrier free. One collector at a time
  // takes a connection and everything queued by then. That is where a busy pool spends its
  // time: on round trips, not on statements, and PostgreSQL on a few busy backends rather
  // than many waking ones. A statement queued coalesce_wait with none free gets an extra
  // carrier (if the pool has one to give). A statement that rides a batch runs under the
  // earliest deadline of its batch; its cancellation slot is not watched.
  boost::asio::awaitable<Result> query(const Statement& statement, std::span<const Param> params,
                                       const Scope& scope);
  static constexpr std::size_t kMaxCoalesced = 32;

  boost::asio::io_context& loop() const { return loop_; }
  const PoolFigures& figures() const { return figures_; }
  std::string last_error() const;
  // Calls visit(series) for each statement seen; from any thread.
  template <typename Visit>
  void for_each_statement(Visit&& visit) const {
    std::lock_guard lock(series_mutex_);
    for (const auto& series : series_) visit(series);
  }

 private:
  friend class Lease;
  struct Waiter;
  struct Queued;
  // A carrier: takes a connection and the statements queued by then (kMaxCoalesced at
  // most), lets the next collector start, and sends them as one batch.
  boost::asio::awaitable<void> drain(std::shared_ptr<Pool> self);
  // Starts a collector when statements are queued, none is collecting, and a carrier is free
  // (or, with overdue, the queue has waited coalesce_wait).
  void kick(bool overdue = false);
  // A connection idle, or room to open one.
  bool spare() const { return !idle_.empty() || open_ < settings_.max_connections; }
  boost::asio::awaitable<void> watch_queue(std::shared_ptr<Pool> self);

  void release(std::unique_ptr<PgConnection> connection);
  void hand_out(std::unique_ptr<PgConnection> connection);
  boost::asio::awaitable<std::unique_ptr<PgConnection>> open_connection(Clock::time_point deadline);
  boost::asio::awaitable<void> maintain();
  void watchdog(Clock::time_point now);
  void discard(std::unique_ptr<PgConnection> connection);
  DatabaseError unavailable() const;
  void publish();
  void record(const char* statement, std::chrono::nanoseconds duration, bool ok) override;

  boost::asio::io_context& loop_;
  PoolSettings settings_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // most recently used last
  std::vector<PgConnection*> leased_;                // for the watchdog
  std::deque<Waiter*> waiters_;
  std::deque<Queued*> queued_;  // statements waiting to ride a batch (query)
  bool collecting_ = false;     // a carrier is taking a connection for the queue
  bool gathering_ = false;      // a statement waits out this turn for others to join it
  unsigned carriers_ = 0;       // connections carrying single statements (alone or batched)
  bool watching_ = false;       // watch_queue is armed
  unsigned open_ = 0;           // idle + leased + connecting
  bool closed_ = false;
  bool down_ = false;  // the last connect failed
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_;
  std::string last_error_;
  mutable std::mutex error_mutex_;  // last_error_ is read by readiness on any thread
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer queue_timer_;  // watch_queue's
  PoolFigures figures_;

  std::unordered_map<const char*, StatementSeries*> series_by_name_;  // this loop only
  std::deque<StatementSeries> series_;  // stable addresses; appended under series_mutex_
  mutable std::mutex series_mutex_;
};

}  // namespace pend::db
