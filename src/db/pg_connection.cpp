#include "db/pg_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/container/small_vector.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pend::db {

namespace asio = boost::asio;
using asio::posix::descriptor_base;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// PQcancel opens a connection of its own and blocks until the server has taken the request,
// so it runs here, off the shard threads. Cancels are rare (a client gone, a deadline).
asio::thread_pool& cancel_requests() {
  static asio::thread_pool pool(1);
  return pool;
}

}  // namespace

// One command in an exchange: a named statement (maybe prepared first) or plain SQL.
struct PgConnection::Op {
  const Statement* statement = nullptr;
  const char* sql = nullptr;  // plain SQL when statement is null
  std::span<const Param> params;
  bool sync_after = true;  // ends a pipeline segment: a failure aborts only its segment
  bool prepare = false;    // a PREPARE is sent ahead of the execution
  bool done = false;
  Result result;
  std::optional<DatabaseError> error;
};

namespace {

// What the server will answer, in order: each command's result sets end with a NULL from
// PQgetResult; a sync point answers PGRES_PIPELINE_SYNC and no NULL.
enum class Expect : std::uint8_t { prepare, execute, sync };

// Sent in the same implicit transaction just ahead of a statement with generic_plan: the
// setting is local to that transaction, so it ends with the statement's sync point (or its
// failure). set_config rather than SET LOCAL, which warns outside an explicit block.
constexpr Statement kGenericPlan{
    "db.generic_plan", "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"};
// Ends it early inside a together batch, for the statements after a generic_plan one.
constexpr Statement kPlanAsConfigured{"db.plan_as_configured", "RESET plan_cache_mode", false};

}  // namespace

// ---- Batch --------------------------------------------------------------------------------

std::size_t Batch::add(const Statement& statement, std::initializer_list<Param> params) {
  return add(statement, std::span<const Param>(params.begin(), params.size()));
}

std::size_t Batch::add(const Statement& statement, std::span<const Param> params) {
  Item item{&statement, std::vector<Param>(params.begin(), params.end()), {}, {}};
  for (auto& param : item.params) {
    if (param.kind() == Param::Kind::text) param.rebind_text(texts_.emplace_back(param.text()));
  }
  items_.push_back(std::move(item));
  return items_.size() - 1;
}

const Result& Batch::result(std::size_t i) const {
  if (items_.at(i).error) throw *items_[i].error;
  return items_[i].result;
}

Result Batch::take(std::size_t i) {
  if (items_.at(i).error) throw *items_[i].error;
  return std::move(items_[i].result);
}

const DatabaseError* Batch::error(std::size_t i) const {
  return items_.at(i).error ? &*items_[i].error : nullptr;
}

// ---- connecting ---------------------------------------------------------------------------

PgConnection::PgConnection(PGconn* conn, asio::posix::stream_descriptor socket,
                           ConnectionOptions options)
    : conn_(conn), socket_(std::move(socket)), options_(std::move(options)) {
  reset_timeout_sql_ =
      "SET statement_timeout = " + std::to_string(options_.statement_timeout.count());
}

PgConnection::~PgConnection() {
  if (socket_.is_open()) socket_.release();  // libpq owns the descriptor and closes it
  PQfinish(conn_);
}

asio::awaitable<std::unique_ptr<PgConnection>> PgConnection::connect(
    const ConnectionOptions& options) {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  // The statement timeout comes after the URL so that ours wins; the application name
  // before it so that the URL's wins.
  const std::string server_options =
      "-c statement_timeout=" + std::to_string(options.statement_timeout.count());
  const char* keywords[] = {"fallback_application_name", "dbname", "options", nullptr};
  const char* values[] = {"pend-server", options.url.c_str(), server_options.c_str(), nullptr};
  PGconn* raw = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr)
    throw DatabaseError("out of memory starting a PostgreSQL connection", "08006");
  if (PQstatus(raw) == CONNECTION_BAD) {
    const std::string message = trimmed_message(PQerrorMessage(raw));
    PQfinish(raw);
    throw DatabaseError("cannot connect to PostgreSQL: " + message, "08006");
  }
  const auto timeout = options.connect_timeout;
  std::unique_ptr<PgConnection> connection(
      new PgConnection(raw, asio::posix::stream_descriptor(executor), options));

  // The handshake: libpq says which way to wait; the socket may change between attempts.
  auto handshake = [&]() -> asio::awaitable<bool> {
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (true) {
      if (status == PGRES_POLLING_OK) co_return true;
      if (status == PGRES_POLLING_FAILED) co_return false;
      const int fd = PQsocket(raw);
      if (!connection->socket_.is_open() || connection->socket_.native_handle() != fd) {
        if (connection->socket_.is_open()) connection->socket_.release();
        connection->socket_.assign(fd);
      }
      auto [ec] = co_await connection->socket_.async_wait(status == PGRES_POLLING_READING
                                                              ? descriptor_base::wait_read
                                                              : descriptor_base::wait_write,
                                                          kUseTuple);
      if (ec) co_return false;
      status = PQconnectPoll(raw);
    }
  };
  asio::steady_timer deadline(executor, timeout);
  auto outcome = co_await (handshake() || deadline.async_wait(kUseTuple));
  if (outcome.index() == 1) {
    throw DatabaseError(
        "connecting to PostgreSQL timed out after " + std::to_string(timeout.count()) + " ms",
        "57014");
  }
  if (!std::get<0>(outcome)) {
    throw DatabaseError("cannot connect to PostgreSQL: " + trimmed_message(PQerrorMessage(raw)),
                        "08006");
  }
  if (PQsetnonblocking(raw, 1) != 0 || PQenterPipelineMode(raw) != 1) {
    throw DatabaseError("cannot put the PostgreSQL connection in non-blocking pipeline mode",
                        "08006");
  }
  co_return connection;
}

// ---- the exchange: send everything, sync, read everything ------------------------------

void PgConnection::fail_connection(std::string_view what) {
  broken_ = true;
  std::string message = trimmed_message(PQerrorMessage(conn_));
  if (abandoned_) {
    message = "PostgreSQL did not answer within " +
              std::to_string((options_.statement_timeout + options_.silence_grace).count()) +
              " ms; the connection was dropped";
  }
  throw DatabaseError(std::string{what} + (message.empty() ? "" : ": " + message), "08006");
}

asio::awaitable<void> PgConnection::wait_readable() {
  auto [ec] = co_await socket_.async_wait(descriptor_base::wait_read, kUseTuple);
  if (ec) fail_connection("lost the PostgreSQL connection");
}

// Sends what libpq has buffered. While the server cannot take more, read what it says: a
// server blocked writing results to us would otherwise never read the rest of our pipeline.
asio::awaitable<void> PgConnection::flush() {
  using namespace asio::experimental::awaitable_operators;
  while (true) {
    const int pending = PQflush(conn_);
    if (pending == 0) co_return;
    if (pending < 0) fail_connection("sending to PostgreSQL failed");
    auto outcome = co_await (socket_.async_wait(descriptor_base::wait_read, kUseTuple) ||
                             socket_.async_wait(descriptor_base::wait_write, kUseTuple));
    const auto ec = std::visit([](auto& r) { return std::get<0>(r); }, outcome);
    if (ec) fail_connection("lost the PostgreSQL connection");
    if (outcome.index() == 0 && !PQconsumeInput(conn_)) {
      fail_connection("lost the PostgreSQL connection");
    }
  }
}

void PgConnection::send(Op& op) {
  const auto& params = op.params;
  const auto count = params.size();
  values_.resize(count);
  lengths_.resize(count);
  formats_.resize(count);
  types_.resize(count);
  if (scratch_.size() < count) scratch_.resize(count);

  const Prepared* prepared = nullptr;
  const char* sql = op.statement ? op.statement->sql : op.sql;
  if (op.statement && op.statement->prepare) {
    auto found = prepared_.find(op.statement->name);
    if (found != prepared_.end() && found->second.sql != sql &&
        std::strcmp(found->second.sql, sql) != 0) {
      throw DatabaseError(std::string{"two statements share the name '"} + op.statement->name + "'",
                          "42P05");
    }
    if (found == prepared_.end()) {
      Prepared entry{sql, "p" + std::to_string(prepared_.size() + 1), {}};
      for (const auto& p : params) entry.types.push_back(p.type());
      found = prepared_.emplace(op.statement->name, std::move(entry)).first;
      op.prepare = true;
      if (!PQsendPrepare(conn_, found->second.server_name.c_str(), sql, static_cast<int>(count),
                         found->second.types.data())) {
        fail_connection("sending to PostgreSQL failed");
      }
    }
    prepared = &found->second;
  }

  for (std::size_t i = 0; i < count; ++i) {
    const Param& p = params[i];
    formats_[i] = 0;
    types_[i] = p.type();
    if (p.is_null()) {
      values_[i] = nullptr;
      lengths_[i] = 0;
    } else if (p.kind() == Param::Kind::text) {
      values_[i] = p.text().data();
      lengths_[i] = static_cast<int>(p.text().size());
    } else if (prepared == nullptr ||
               (i < prepared->types.size() && prepared->types[i] == p.type())) {
      values_[i] = scratch_[i].data();
      lengths_[i] = static_cast<int>(p.binary(scratch_[i].data()));
      formats_[i] = 1;
    } else {  // prepared earlier for another type: text converts to whatever it was
      lengths_[i] = static_cast<int>(p.text_form(scratch_[i].data()));
      values_[i] = scratch_[i].data();
    }
  }
  const int n = static_cast<int>(count);
  const int sent = prepared != nullptr
                       ? PQsendQueryPrepared(conn_, prepared->server_name.c_str(), n,
                                             values_.data(), lengths_.data(), formats_.data(), 1)
                       : PQsendQueryParams(conn_, sql, n, types_.data(), values_.data(),
                                           lengths_.data(), formats_.data(), 1);
  if (!sent) fail_connection("sending to PostgreSQL failed");
  if (op.sync_after && !PQpipelineSync(conn_)) fail_connection("sending to PostgreSQL failed");
}

std::chrono::milliseconds PgConnection::timeout_for(const Scope& scope) const {
  milliseconds timeout = scope.timeout.count() > 0 ? scope.timeout : options_.statement_timeout;
  if (scope.deadline != Clock::time_point::max()) {
    const auto left = duration_cast<milliseconds>(scope.deadline - Clock::now());
    if (left.count() <= 0) {
      throw DatabaseError("the request's deadline passed before the statement was sent", "57014");
    }
    timeout = std::min(timeout, left);
  }
  return timeout;
}

void PgConnection::start_work(const Scope& scope, milliseconds timeout) {
  if (broken_) throw DatabaseError("the PostgreSQL connection is broken", "08006");
  busy_ = true;
  cancel_requested_ = false;
  give_up_at_ = Clock::now() + timeout + options_.silence_grace;
  if (scope.cancel.is_connected()) {
    auto slot = scope.cancel;
    slot.assign([this](asio::cancellation_type) { request_cancel(); });
  }
}

void PgConnection::finish_work(Clock::time_point started, const Scope& scope) {
  if (scope.cancel.is_connected()) {
    auto slot = scope.cancel;
    slot.clear();
  }
  const auto elapsed = Clock::now() - started;
  busy_time_ += elapsed;
  if (scope.time != nullptr) *scope.time += elapsed;
  busy_ = false;
  give_up_at_ = Clock::time_point::max();
  // A cancel request might still reach the server after this statement ended and hit the
  // next one: a cancelled connection is not used again.
  if (cancel_requested_) broken_ = true;
}

asio::awaitable<void> PgConnection::exchange(std::span<Op> ops, const Scope& scope) {
  const auto started = Clock::now();
  boost::container::small_vector<std::pair<Expect, Op*>, 12> expected;
  bool failed = false;
  std::exception_ptr failure;
  try {
    for (Op& op : ops) {
      send(op);
      if (op.prepare) expected.emplace_back(Expect::prepare, &op);
      expected.emplace_back(Expect::execute, &op);
      if (op.sync_after) expected.emplace_back(Expect::sync, &op);
    }
    co_await flush();

    std::size_t next = 0;
    const Clock::time_point op_started = started;
    while (next < expected.size()) {
      if (!PQconsumeInput(conn_)) fail_connection("lost the PostgreSQL connection");
      while (next < expected.size() && !PQisBusy(conn_)) {
        PGresult* result = PQgetResult(conn_);
        auto [expect, op] = expected[next];
        if (result == nullptr) {  // the current command's results are complete
          if (expect != Expect::sync) ++next;
          continue;
        }
        const auto status = PQresultStatus(result);
        if (status == PGRES_PIPELINE_SYNC) {
          PQclear(result);
          op->done = true;
          if (expect == Expect::sync) ++next;
          if (recorder_ != nullptr && op->statement != nullptr) {
            recorder_->record(op->statement->name, Clock::now() - op_started, !op->error);
          }
          continue;
        }
        if (status == PGRES_FATAL_ERROR) {
          if (!op->error) op->error = DatabaseError::from_result(result);
          if (expect == Expect::prepare) prepared_.erase(op->statement->name);
          PQclear(result);
        } else if (status == PGRES_PIPELINE_ABORTED) {
          if (!op->error) {
            op->error = DatabaseError("not run: an earlier statement sent with it failed", "25P02");
          }
          if (expect == Expect::prepare) prepared_.erase(op->statement->name);
          PQclear(result);
        } else if (expect == Expect::prepare) {
          PQclear(result);
        } else {
          op->result = Result(result);
        }
      }
      if (next < expected.size()) co_await wait_readable();
    }
  } catch (const DatabaseError&) {
    failed = true;
    failure = std::current_exception();
  }
  finish_work(started, scope);
  if (failed) {
    broken_ = true;
    std::rethrow_exception(failure);
  }
}

// ---- public operations --------------------------------------------------------------------

asio::awaitable<Result> PgConnection::query(const Statement& statement,
                                            std::span<const Param> params, const Scope& scope) {
  const auto timeout = timeout_for(scope);
  start_work(scope, timeout);
  boost::container::small_vector<Op, 6> ops;
  const bool custom_timeout = timeout != options_.statement_timeout;
  if (custom_timeout) {
    set_timeout_sql_ = "SET statement_timeout = " + std::to_string(timeout.count());
    ops.push_back(Op{.sql = set_timeout_sql_.c_str()});
  }
  const std::vector<std::string> deferred = std::exchange(deferred_, {});  // ops point into it
  for (const auto& sql : deferred) ops.push_back(Op{.sql = sql.c_str(), .sync_after = false});
  if (statement.generic_plan) ops.push_back(Op{.statement = &kGenericPlan, .sync_after = false});
  ops.push_back(Op{.statement = &statement, .params = params});
  const std::size_t main = ops.size() - 1;
  // Restores the default even after a failure (then it fails too, harmlessly: a rolled-back
  // transaction undoes the SET as well).
  if (custom_timeout) ops.push_back(Op{.sql = reset_timeout_sql_.c_str()});

  co_await exchange(ops, scope);
  for (std::size_t i = 0; i < main; ++i) {
    if (ops[i].error && ops[i].error->sqlstate() != "25P02") throw *ops[i].error;
  }
  if (ops[main].error) throw *ops[main].error;
  co_return std::move(ops[main].result);
}

asio::awaitable<void> PgConnection::run(Batch& batch, const Scope& scope) {
  const auto timeout = timeout_for(scope);
  start_work(scope, timeout);
  std::vector<Op> ops;
  ops.reserve(2 * batch.items_.size() + deferred_.size() + 2);
  const bool custom_timeout = timeout != options_.statement_timeout;
  if (custom_timeout) {
    set_timeout_sql_ = "SET statement_timeout = " + std::to_string(timeout.count());
    ops.push_back(Op{.sql = set_timeout_sql_.c_str()});
  }
  const std::vector<std::string> deferred = std::exchange(deferred_, {});  // ops point into it
  for (const auto& sql : deferred) ops.push_back(Op{.sql = sql.c_str(), .sync_after = false});
  const bool together = batch.mode_ == Batch::Mode::together;
  // Where each item's own op is: a generic_plan item has one more ahead of it.
  boost::container::small_vector<std::size_t, 32> at;
  at.reserve(batch.items_.size());
  for (std::size_t i = 0; i < batch.items_.size(); ++i) {
    const auto& item = batch.items_[i];
    if (item.statement->generic_plan) {
      ops.push_back(Op{.statement = &kGenericPlan, .sync_after = false});
    }
    at.push_back(ops.size());
    ops.push_back(Op{.statement = item.statement, .params = item.params, .sync_after = !together});
    if (together && item.statement->generic_plan && i + 1 < batch.items_.size()) {
      ops.push_back(Op{.statement = &kPlanAsConfigured, .sync_after = false});
    }
  }
  if (together && !batch.items_.empty()) ops.back().sync_after = true;
  if (custom_timeout) ops.push_back(Op{.sql = reset_timeout_sql_.c_str()});

  co_await exchange(ops, scope);
  for (std::size_t i = 0; i < batch.items_.size(); ++i) {
    batch.items_[i].result = std::move(ops[at[i]].result);
    batch.items_[i].error = std::move(ops[at[i]].error);
  }
}

asio::awaitable<std::uint64_t> PgConnection::copy_in(const Statement& copy,
                                                     const std::function<std::string_view()>& next,
                                                     const Scope& scope) {
  // COPY cannot run in pipeline mode: settle what is deferred first, then leave it.
  if (!deferred_.empty()) {
    static constexpr Statement kNothing{"copy.prelude", "SELECT 1", false};
    co_await query(kNothing, scope);
  }
  const auto timeout = timeout_for(scope);
  const bool custom_timeout = timeout != options_.statement_timeout;
  if (custom_timeout) {
    set_timeout_sql_ = "SET statement_timeout = " + std::to_string(timeout.count());
    const Statement set{"copy.timeout", set_timeout_sql_.c_str(), false};
    co_await query(set);
  }
  start_work(scope, timeout);
  const auto started = Clock::now();
  std::optional<DatabaseError> error;
  std::uint64_t rows = 0;
  std::exception_ptr source_failure;
  try {
    if (PQexitPipelineMode(conn_) != 1) fail_connection("cannot leave pipeline mode for COPY");
    if (!PQsendQueryParams(conn_, copy.sql, 0, nullptr, nullptr, nullptr, nullptr, 0)) {
      fail_connection("sending to PostgreSQL failed");
    }
    co_await flush();
    // Until the server says it is ready for data (or refuses the COPY).
    bool ready = false;
    while (!ready && !error) {
      if (!PQconsumeInput(conn_)) fail_connection("lost the PostgreSQL connection");
      if (PQisBusy(conn_)) {
        co_await wait_readable();
        continue;
      }
      PGresult* result = PQgetResult(conn_);
      const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
      if (status == PGRES_COPY_IN) {
        ready = true;
      } else {
        error = result ? DatabaseError::from_result(result)
                       : DatabaseError("COPY was not accepted", "08P01");
      }
      PQclear(result);
    }
    while (!ready) {  // refused: read up to the end of its results
      if (!PQconsumeInput(conn_)) fail_connection("lost the PostgreSQL connection");
      if (PQisBusy(conn_)) {
        co_await wait_readable();
        continue;
      }
      PGresult* rest = PQgetResult(conn_);
      if (rest == nullptr) break;
      PQclear(rest);
    }
    if (ready) {
      const char* abort_reason = nullptr;
      while (true) {
        std::string_view chunk;
        try {
          chunk = next();
        } catch (...) {
          source_failure = std::current_exception();
          abort_reason = "the data source failed";
        }
        if (abort_reason != nullptr || chunk.empty()) break;
        while (true) {
          const int put = PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size()));
          if (put < 0) fail_connection("sending COPY data failed");
          if (put == 1) break;
          co_await flush();  // libpq's buffer is full: let the socket drain, then retry
        }
        if (PQflush(conn_) < 0) fail_connection("sending COPY data failed");
      }
      while (true) {
        const int end = PQputCopyEnd(conn_, abort_reason);
        if (end < 0) fail_connection("ending COPY failed");
        if (end == 1) break;
        co_await flush();
      }
      co_await flush();
      while (true) {  // the COPY's outcome, then NULL
        if (!PQconsumeInput(conn_)) fail_connection("lost the PostgreSQL connection");
        if (PQisBusy(conn_)) {
          co_await wait_readable();
          continue;
        }
        PGresult* result = PQgetResult(conn_);
        if (result == nullptr) break;
        if (PQresultStatus(result) == PGRES_COMMAND_OK) {
          rows = Result(result).affected();
        } else {
          if (!error) error = DatabaseError::from_result(result);
          PQclear(result);
        }
      }
    }
    if (PQenterPipelineMode(conn_) != 1) fail_connection("cannot re-enter pipeline mode");
  } catch (const DatabaseError& lost) {
    broken_ = true;
    error = lost;
  }
  finish_work(started, scope);
  if (recorder_ != nullptr) recorder_->record(copy.name, Clock::now() - started, !error);
  if (custom_timeout && !broken_) {
    const Statement reset{"copy.timeout", reset_timeout_sql_.c_str(), false};
    co_await query(reset);
  }
  if (source_failure) std::rethrow_exception(source_failure);
  if (error) throw *error;
  co_return rows;
}

bool PgConnection::in_transaction() const {
  const auto status = PQtransactionStatus(conn_);
  return !deferred_.empty() || status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

asio::awaitable<void> PgConnection::reset() {
  deferred_.clear();
  const auto status = PQtransactionStatus(conn_);
  if (broken_ || (status != PQTRANS_INTRANS && status != PQTRANS_INERROR)) co_return;
  static constexpr Statement kRollback{"transaction.rollback", "ROLLBACK", false};
  co_await query(kRollback);
}

bool PgConnection::check_alive() {
  if (broken_) return false;
  // An idle backend sends nothing unless it is going away (terminated, shut down, idle
  // timeout): then its FATAL message and EOF wait in the socket. One peek tells.
  char byte;
  const ssize_t peeked = ::recv(PQsocket(conn_), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  const bool quiet = peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  if (!quiet || PQstatus(conn_) != CONNECTION_OK) broken_ = true;
  return !broken_;
}

void PgConnection::abandon() {
  abandoned_ = true;
  broken_ = true;
  boost::system::error_code ec;
  socket_.cancel(ec);  // the waiting statement wakes with an error and reports the silence
}

void PgConnection::request_cancel() {
  if (cancel_requested_ || !busy_) return;
  cancel_requested_ = true;
  PGcancel* cancel = PQgetCancel(conn_);
  if (cancel == nullptr) return;
  asio::post(cancel_requests(), [cancel] {
    char error[256];
    PQcancel(cancel, error, sizeof error);
    PQfreeCancel(cancel);
  });
}

}  // namespace pend::db
