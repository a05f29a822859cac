// PgConnection: one PostgreSQL connection driven by the caller's event loop. libpq runs in
// non-blocking pipeline mode and its socket is watched through Asio, so a query never
// blocks a thread, and everything one call sends (a BEGIN put off until now, a statement's
// PREPARE and its EXECUTE, a batch of independent statements) costs one round trip.
// Statements are named: the name labels metrics and identifies the prepared statement,
// which is prepared on first use and cached for the connection's life.
//
//   constexpr Statement kFindUser{"users.find", "SELECT phone FROM users WHERE id = $1"};
//   auto conn = co_await PgConnection::connect({.url = url});
//   Result rows = co_await conn->query(kFindUser, scope, user_id);
//
// Parameters are viewed, not copied: call and co_await in one expression.
#pragma once

#include "db/error.hpp"
#include "db/value.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace pend::db {

using Clock = std::chrono::steady_clock;

// Declare statements as constants (constexpr at namespace scope or static): the connection
// keeps their name and text pointers for its prepared-statement cache.
struct Statement {
  const char* name;     // metrics label and prepared-statement identity: one name, one text
  const char* sql;      // $1, $2... for parameters; never values spliced in
  bool prepare = true;  // false: sent unnamed each time (DDL, one-off statements)
  // true: always run with the generic plan (plan_cache_mode = force_generic_plan for this
  // statement alone), never re-planned for its values. For a statement whose generic plan
  // is known to be good but is costed above the custom ones, so that PostgreSQL would
  // otherwise plan it again at every call (docs/architecture/database.md).
  bool generic_plan = false;
};

// What bounds and observes one piece of database work, usually made from the request.
struct Scope {
  Clock::time_point deadline = Clock::time_point::max();  // also caps the statement timeout
  std::chrono::milliseconds timeout{0};      // this statement's timeout; 0: the connection's
  std::chrono::nanoseconds* time = nullptr;  // database time is added here (request metrics)
  boost::asio::cancellation_slot cancel;     // emit to cancel the running statement
};

struct ConnectionOptions {
  std::string url;  // secret: may hold the password
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds statement_timeout{5'000};  // the server enforces it
  // Added to the statement timeout before the connection gives up on a silent server.
  std::chrono::milliseconds silence_grace{2'000};
};

// Told about every named statement's duration (the pool feeds query-duration histograms).
class QueryRecorder {
 public:
  virtual ~QueryRecorder() = default;
  virtual void record(const char* statement, std::chrono::nanoseconds duration, bool ok) = 0;
};

// Statements sent together in one round trip; results come back in order.
class Batch {
 public:
  // independent: a sync point after each statement, so each is its own implicit
  // transaction and a failure stays local. together: one sync point at the end, so the
  // batch is one implicit transaction (all or nothing) and the server does less work.
  enum class Mode : std::uint8_t { independent, together };
  explicit Batch(Mode mode = Mode::independent) : mode_(mode) {}

  std::size_t add(const Statement& statement, std::initializer_list<Param> params = {});
  std::size_t add(const Statement& statement, std::span<const Param> params);
  std::size_t size() const { return items_.size(); }
  // Moves the i-th statement's rows out (after run); throws its DatabaseError if it failed.
  Result take(std::size_t i);
  // The i-th statement's rows; throws its DatabaseError if it failed.
  const Result& result(std::size_t i) const;
  const DatabaseError* error(std::size_t i) const;

 private:
  friend class PgConnection;
  struct Item {
    const Statement* statement;
    std::vector<Param> params;
    Result result;
    std::optional<DatabaseError> error;
  };
  Mode mode_;
  std::vector<Item> items_;
  std::deque<std::string> texts_;  // copies of text parameters (a deque never moves them)
};

class PgConnection {
 public:
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects on the current coroutine's executor. Throws DatabaseError (08006 when the
  // server cannot be reached, 57014 on timeout).
  // (options by reference: GCC 12 frees a by-value coroutine parameter built from a braced
  // temporary twice; call and co_await in one expression.)
  static boost::asio::awaitable<std::unique_ptr<PgConnection>> connect(
      const ConnectionOptions& options);

  // co_await conn->query(kStatement, scope, id, "active"): each argument binds as a Param.
  // (Variadic rather than a braced list: GCC 12 cannot keep a braced list's array alive
  // across co_await.)
  template <typename... Args>
  boost::asio::awaitable<Result> query(const Statement& statement, const Scope& scope,
                                       Args&&... args) {
    const std::array<Param, sizeof...(Args)> params{Param(std::forward<Args>(args))...};
    co_return co_await query(statement, std::span<const Param>(params), scope);
  }
  boost::asio::awaitable<Result> query(const Statement& statement,
                                       std::span<const Param> params = {}, const Scope& scope = {});

  // Runs every statement of the batch in one round trip; per-statement errors stay in the
  // batch, a lost connection throws.
  boost::asio::awaitable<void> run(Batch& batch, const Scope& scope = {});

  // COPY ... FROM STDIN with text-format data: next() returns the following chunk, empty
  // when done. Returns the rows copied. See CopyEncoder for building the chunks.
  boost::asio::awaitable<std::uint64_t> copy_in(const Statement& copy,
                                                const std::function<std::string_view()>& next,
                                                const Scope& scope = {});

  // Sent ahead of the next statement, in the same round trip (BEGIN, SAVEPOINT, ...).
  void defer(std::string sql) { deferred_.push_back(std::move(sql)); }
  // Takes back the last deferred statement if it is sql (nothing was sent since).
  bool undefer(std::string_view sql) {
    if (deferred_.empty() || deferred_.back() != sql) return false;
    deferred_.pop_back();
    return true;
  }
  bool in_transaction() const;
  // Puts the session back to idle (rolls back an open transaction); for the pool.
  boost::asio::awaitable<void> reset();

  // Reads whatever the server sent while idle: false when it has closed the connection
  // (a restart, an idle timeout, a terminated backend). Never blocks.
  bool check_alive();
  bool broken() const { return broken_; }
  bool busy() const { return busy_; }
  // While busy: when the connection gives up on a server that says nothing.
  Clock::time_point give_up_at() const { return give_up_at_; }
  // Gives up now: closes the socket so the waiting statement fails with 08006.
  void abandon();
  void set_recorder(QueryRecorder* recorder) { recorder_ = recorder; }
  std::chrono::nanoseconds busy_time() const { return busy_time_; }  // summed query time

 private:
  struct Op;
  PgConnection(PGconn* conn, boost::asio::posix::stream_descriptor socket,
               ConnectionOptions options);

  boost::asio::awaitable<void> exchange(std::span<Op> ops, const Scope& scope);
  void send(Op& op);
  void on_result(Op& op, PGresult* result);
  void start_work(const Scope& scope, std::chrono::milliseconds timeout);
  void finish_work(Clock::time_point started, const Scope& scope);
  std::chrono::milliseconds timeout_for(const Scope& scope) const;
  boost::asio::awaitable<void> flush();
  boost::asio::awaitable<void> wait_readable();
  void request_cancel();
  [[noreturn]] void fail_connection(std::string_view what);

  PGconn* conn_;
  boost::asio::posix::stream_descriptor socket_;  // watches libpq's socket; never closes it
  ConnectionOptions options_;
  struct Prepared {
    const char* sql;
    std::string server_name;
    std::vector<Oid> types;
  };
  std::unordered_map<std::string_view, Prepared> prepared_;  // by statement name
  std::vector<std::string> deferred_;
  std::string set_timeout_sql_;    // "SET statement_timeout = N" for a custom timeout
  std::string reset_timeout_sql_;  // back to the connection's default
  // Scratch for one send: libpq copies parameters into its buffer at once.
  std::vector<const char*> values_;
  std::vector<int> lengths_, formats_;
  std::vector<Oid> types_;
  std::vector<std::array<char, Param::kScratch>> scratch_;
  QueryRecorder* recorder_ = nullptr;
  bool broken_ = false;
  bool busy_ = false;
  bool abandoned_ = false;
  bool cancel_requested_ = false;
  Clock::time_point give_up_at_ = Clock::time_point::max();
  std::chrono::nanoseconds busy_time_{0};
};

}  // namespace pend::db
