#include "db/pool.hpp"

#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace pend::db {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kTick = milliseconds(250);  // the maintenance loop's pace when nothing is due

}  // namespace

struct Pool::Waiter {
  explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
  asio::steady_timer timer;
  std::unique_ptr<PgConnection> connection;  // set when a connection is handed over
  std::optional<DatabaseError> error;        // set when the pool gives up on waiters
};

// ---- Lease --------------------------------------------------------------------------------

Lease::Lease(std::shared_ptr<Pool> pool, std::unique_ptr<PgConnection> connection)
    : pool_(std::move(pool)), connection_(std::move(connection)) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::move(other.pool_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

Lease::~Lease() { give_back(); }

void Lease::give_back() {
  if (pool_ && connection_) pool_->release(std::move(connection_));
  pool_.reset();
}

// ---- Pool ---------------------------------------------------------------------------------

Pool::Pool(asio::io_context& loop, PoolSettings settings)
    : loop_(loop),
      settings_(std::move(settings)),
      backoff_(settings_.reconnect_min),
      wake_(loop),
      queue_timer_(loop) {
  idle_.reserve(settings_.max_connections);
  leased_.reserve(settings_.max_connections);
}

Pool::~Pool() = default;

void Pool::start() {
  asio::co_spawn(
      loop_, [self = shared_from_this()] { return self->maintain(); }, logging::rethrow_unhandled);
}

struct Pool::Queued {
  explicit Queued(asio::io_context& loop) : timer(loop, Clock::time_point::max()) {}
  const Statement* statement = nullptr;
  std::span<const Param> params;  // the caller's, alive while it waits
  const Scope* scope = nullptr;
  Result result;
  std::exception_ptr error;
  bool done = false;
  Clock::time_point since;
  asio::steady_timer timer;  // never expires: cancelled when the statement is done

  void finish(std::exception_ptr failure) {
    error = std::move(failure);
    done = true;
    timer.cancel();
  }
};

void Pool::close() {
  closed_ = true;
  for (Queued* queued : queued_) {
    queued->finish(std::make_exception_ptr(DatabaseError("the server is shutting down", "57P01")));
  }
  queued_.clear();
  idle_.clear();
  open_ = static_cast<unsigned>(leased_.size());
  for (Waiter* waiter : waiters_) {
    waiter->error = DatabaseError("the server is shutting down", "57P01");
    waiter->timer.cancel();
  }
  waiters_.clear();
  wake_.cancel();
  queue_timer_.cancel();
  publish();
}

// ---- single statements, coalesced while the pool is busy ---------------------------------

namespace {
// Counts a carrier while it lives; when it ends, the pool may start the next collector.
template <typename Kick>
struct Carrier {
  unsigned& count;
  Kick kick;
  explicit Carrier(unsigned& c, Kick k) : count(c), kick(std::move(k)) { ++count; }
  Carrier(const Carrier&) = delete;
  Carrier& operator=(const Carrier&) = delete;
  ~Carrier() {
    --count;
    kick();
  }
};
}  // namespace

asio::awaitable<Result> Pool::query(const Statement& statement, std::span<const Param> params,
                                    const Scope& scope) {
  if (closed_ || statement.prepare == false) {
    Lease connection = co_await acquire(scope);
    co_return co_await connection->query(statement, params, scope);
  }
  const auto may_go_alone = [this] {
    return spare() && queued_.empty() && !gathering_ &&
           carriers_ < std::max(1u, settings_.coalesce_at);
  };
  bool gathered = false;
  if (may_go_alone()) {
    // The statements that reach the pool in this turn of the loop (the other requests of the
    // same wake-up) ride with this one: one round trip and one wake-up of a backend for all
    // of them, rather than one each. Alone, it costs one post.
    const auto self = shared_from_this();  // the pool lives across the post
    gathering_ = true;
    co_await asio::post(loop_, asio::use_awaitable);
    gathering_ = false;
    if (closed_) {  // closed meanwhile: refused as at the top
      Lease connection = co_await acquire(scope);
      co_return co_await connection->query(statement, params, scope);
    }
    gathered = !queued_.empty();
  }
  if (!gathered && may_go_alone()) {
    // The frame may outlive the pool's other owners at shutdown: the carrier keeps it.
    Carrier carrier(carriers_, [self = shared_from_this()] { self->kick(); });
    Lease connection = co_await acquire(scope);
    co_return co_await connection->query(statement, params, scope);
  }
  Queued queued(loop_);
  queued.since = Clock::now();
  queued.statement = &statement;
  queued.params = params;
  queued.scope = &scope;
  if (gathered) {
    queued_.push_front(&queued);  // it came first
  } else {
    queued_.push_back(&queued);
  }
  kick();
  if (!watching_) {
    watching_ = true;
    asio::co_spawn(loop_, watch_queue(shared_from_this()), asio::detached);
  }
  // Not cancellable from outside: the carrier holds a pointer to `queued` until it calls
  // finish(), and the earliest deadline of the batch bounds the wait.
  while (!queued.done) {
    (void)co_await queued.timer.async_wait(
        asio::bind_cancellation_slot(asio::cancellation_slot(), kUseTuple));
  }
  if (queued.error) std::rethrow_exception(queued.error);
  co_return std::move(queued.result);
}

void Pool::kick(bool overdue) {
  if (queued_.empty() || collecting_ || gathering_ || closed_) return;
  if (!overdue && carriers_ >= std::max(1u, settings_.coalesce_at)) return;
  collecting_ = true;
  asio::co_spawn(loop_, drain(shared_from_this()), asio::detached);
}

asio::awaitable<void> Pool::watch_queue(std::shared_ptr<Pool> self) {
  // While statements wait: once the oldest has waited coalesce_wait with no collector for
  // it and the pool has a connection to spare, one more carrier takes the queue.
  while (!queued_.empty() && !closed_) {
    const auto due = queued_.front()->since + settings_.coalesce_wait;
    if (Clock::now() >= due) {
      if (spare() && !collecting_) kick(true);
      queue_timer_.expires_after(settings_.coalesce_wait);
    } else {
      queue_timer_.expires_at(due);
    }
    (void)co_await queue_timer_.async_wait(kUseTuple);
  }
  watching_ = false;
  (void)self;
}

asio::awaitable<void> Pool::drain(std::shared_ptr<Pool> self) {
  Carrier carrier(carriers_, [this] { kick(); });  // self keeps the pool alive
  std::exception_ptr failure;
  std::vector<Queued*> riders;
  try {
    if (queued_.empty() || closed_) {
      collecting_ = false;
      co_return;
    }
    Scope scope{.deadline = queued_.front()->scope->deadline};
    Lease connection = co_await acquire(scope);
    collecting_ = false;
    const auto count = std::min(queued_.size(), kMaxCoalesced);
    riders.assign(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(count));
    queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(count));
    kick();  // the rest, if a carrier is free
    if (riders.empty()) co_return;
    Batch batch(Batch::Mode::independent);
    for (Queued* rider : riders) {
      batch.add(*rider->statement, rider->params);
      scope.deadline = std::min(scope.deadline, rider->scope->deadline);
    }
    std::chrono::nanoseconds time{0};
    scope.time = &time;
    co_await connection->run(batch, scope);
    figures_.coalesced.fetch_add(riders.size(), std::memory_order_relaxed);
    figures_.batches.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < riders.size(); ++i) {
      Queued* rider = riders[i];
      if (rider->scope->time != nullptr) *rider->scope->time += time;
      std::exception_ptr error;
      try {
        rider->result = batch.take(i);
      } catch (...) {
        error = std::current_exception();
      }
      rider->finish(error);
    }
    riders.clear();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    // The connection was lost or the deadline passed: every statement of the batch fails
    // with it; without a connection, the one whose deadline it was (the next collector,
    // started when this carrier ends, takes the rest).
    if (riders.empty()) {
      collecting_ = false;
      if (!queued_.empty()) {
        riders.push_back(queued_.front());
        queued_.pop_front();
      }
    }
    for (Queued* rider : riders) rider->finish(failure);
  }
  (void)self;
}

std::string Pool::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

DatabaseError Pool::unavailable() const {
  return DatabaseError("PostgreSQL is unavailable: " + last_error(), "08006");
}

void Pool::publish() {
  figures_.open.store(open_, std::memory_order_relaxed);
  figures_.idle.store(static_cast<std::int64_t>(idle_.size()), std::memory_order_relaxed);
  figures_.in_use.store(static_cast<std::int64_t>(leased_.size()), std::memory_order_relaxed);
  figures_.waiting.store(static_cast<std::int64_t>(waiters_.size()), std::memory_order_relaxed);
  figures_.up.store(!down_, std::memory_order_relaxed);
}

asio::awaitable<Lease> Pool::acquire(const Scope& scope) {
  if (closed_) throw DatabaseError("the server is shutting down", "57P01");
  // Most recently used first: warm caches, and idle ones past need can be trimmed later.
  while (!idle_.empty()) {
    std::unique_ptr<PgConnection> connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->check_alive()) {
      leased_.push_back(connection.get());
      publish();
      co_return Lease(shared_from_this(), std::move(connection));
    }
    discard(std::move(connection));
  }
  // Down and nothing leased that could come back: the maintenance loop is reconnecting,
  // fail fast. (Down with connections in use, e.g. the server's max_connections reached:
  // wait for one of those.)
  if (down_ && leased_.empty()) throw unavailable();
  if (!down_ && open_ < settings_.max_connections) {
    auto connection = co_await open_connection(scope.deadline);
    leased_.push_back(connection.get());
    publish();
    co_return Lease(shared_from_this(), std::move(connection));
  }

  // Every connection is in use: wait for one to come back.
  Waiter waiter(co_await asio::this_coro::executor);
  const auto timeout_at = std::min(Clock::now() + settings_.acquire_timeout, scope.deadline);
  waiter.timer.expires_at(timeout_at);
  waiters_.push_back(&waiter);
  publish();
  co_await waiter.timer.async_wait(kUseTuple);
  // Handed over, failed by the pool, timed out, or cancelled: in the last two we are still
  // queued.
  auto queued = std::find(waiters_.begin(), waiters_.end(), &waiter);
  if (queued != waiters_.end()) waiters_.erase(queued);
  publish();
  if (waiter.connection) co_return Lease(shared_from_this(), std::move(waiter.connection));
  if (waiter.error) throw *waiter.error;
  figures_.acquire_timeouts.fetch_add(1, std::memory_order_relaxed);
  throw DatabaseError("no PostgreSQL connection became free within " +
                          std::to_string(settings_.acquire_timeout.count()) + " ms",
                      "53300");
}

asio::awaitable<std::unique_ptr<PgConnection>> Pool::open_connection(Clock::time_point deadline) {
  ConnectionOptions options = settings_.connection;
  if (deadline != Clock::time_point::max()) {
    const auto left = duration_cast<milliseconds>(deadline - Clock::now());
    options.connect_timeout = std::clamp(left, milliseconds(1), options.connect_timeout);
  }
  ++open_;
  publish();
  std::unique_ptr<PgConnection> connection;
  std::optional<DatabaseError> failure;
  try {
    connection = co_await PgConnection::connect(options);
  } catch (const DatabaseError& error) {
    failure = error;
  }
  if (failure) {
    --open_;
    figures_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    const bool was_up = !down_;
    down_ = true;
    next_attempt_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.reconnect_max);
    {
      std::lock_guard lock(error_mutex_);
      last_error_ = failure->what();
    }
    if (was_up) {
      logging::error("GENERAL", "DATABASE_UNAVAILABLE", "cannot connect to PostgreSQL",
                     {{"error_message", failure->what()}});
    }
    // Nobody will give a connection back: waiting callers fail now rather than time out.
    if (leased_.empty()) {
      for (Waiter* waiter : waiters_) {
        waiter->error = unavailable();
        waiter->timer.cancel();
      }
      waiters_.clear();
    }
    publish();
    wake_.cancel();
    throw *failure;
  }
  figures_.connects.fetch_add(1, std::memory_order_relaxed);
  if (down_) {
    logging::info("GENERAL", "DATABASE_RECONNECTED", "PostgreSQL is reachable again");
  }
  down_ = false;
  backoff_ = settings_.reconnect_min;
  connection->set_recorder(this);
  publish();
  co_return connection;
}

void Pool::release(std::unique_ptr<PgConnection> connection) {
  auto leased = std::find(leased_.begin(), leased_.end(), connection.get());
  if (leased != leased_.end()) leased_.erase(leased);
  if (closed_ || connection->broken()) {
    discard(std::move(connection));
    return;
  }
  if (connection->in_transaction()) {
    // Left inside a transaction (an exception unwound past it): roll back before reuse.
    leased_.push_back(connection.get());
    asio::co_spawn(
        loop_,
        [self = shared_from_this(), c = std::move(connection)]() mutable -> asio::awaitable<void> {
          try {
            co_await c->reset();
          } catch (const DatabaseError&) {
            // reset() failing leaves the connection broken: release() discards it
          }
          self->release(std::move(c));
        },
        logging::rethrow_unhandled);
    return;
  }
  hand_out(std::move(connection));
}

void Pool::hand_out(std::unique_ptr<PgConnection> connection) {
  if (!waiters_.empty()) {
    Waiter* waiter = waiters_.front();
    waiters_.pop_front();
    leased_.push_back(connection.get());
    waiter->connection = std::move(connection);
    waiter->timer.cancel();
  } else {
    idle_.push_back(std::move(connection));
  }
  publish();
}

void Pool::discard(std::unique_ptr<PgConnection> connection) {
  if (!closed_) figures_.discarded.fetch_add(1, std::memory_order_relaxed);
  connection.reset();
  if (open_ > 0) --open_;
  publish();
  if (!closed_) wake_.cancel();  // the maintenance loop refills to min_connections
}

// Gives up on connections whose server has said nothing for longer than the statement
// timeout allows (a network partition, a frozen host): their callers get 08006.
void Pool::watchdog(Clock::time_point now) {
  for (PgConnection* connection : leased_) {
    if (connection->busy() && now > connection->give_up_at()) connection->abandon();
  }
}

asio::awaitable<void> Pool::maintain() {
  static thread_local std::minstd_rand jitter(std::random_device{}());
  while (!closed_) {
    const auto now = Clock::now();
    watchdog(now);
    const bool wanted = open_ < settings_.min_connections ||
                        (!waiters_.empty() && open_ < settings_.max_connections);
    if (wanted && (!down_ || now >= next_attempt_)) {
      std::unique_ptr<PgConnection> connection;
      try {
        connection = co_await open_connection(Clock::time_point::max());
      } catch (const DatabaseError&) {
        // recorded by open_connection; back off below
      }
      if (connection && !closed_) {
        hand_out(std::move(connection));
        continue;
      }
    }
    auto pause = kTick;
    if (down_ && next_attempt_ > now) {
      // A little jitter so the shards (and instances) do not reconnect in lockstep.
      pause = std::min(
          kTick, duration_cast<milliseconds>(next_attempt_ - now) + milliseconds(jitter() % 20));
    }
    wake_.expires_after(pause);
    co_await wake_.async_wait(kUseTuple);
  }
}

void Pool::record(const char* statement, std::chrono::nanoseconds duration, bool ok) {
  auto found = series_by_name_.find(statement);
  StatementSeries* series;
  if (found != series_by_name_.end()) {
    series = found->second;
  } else {
    std::lock_guard lock(series_mutex_);
    series = &series_.emplace_back();
    series->name = statement;
    series_by_name_.emplace(statement, series);
  }
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto bucket =
      static_cast<std::size_t>(std::lower_bound(StatementSeries::kBuckets.begin(),
                                                StatementSeries::kBuckets.end(), seconds) -
                               StatementSeries::kBuckets.begin());
  auto bump = [](std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  };
  bump(series->count);
  if (!ok) bump(series->errors);
  bump(series->sum_ns, static_cast<std::uint64_t>(duration.count()));
  if (bucket < series->buckets.size()) bump(series->buckets[bucket]);
}

}  // namespace pend::db
