#include "db/pg_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pend::db {

namespace asio = boost::asio;
using asio::posix::descriptor_base;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

std::optional<std::string> PgResult::get(int row, int column) const {
  if (PQgetisnull(result_.get(), row, column)) return std::nullopt;
  return std::string{PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

PgConnection::PgConnection(PGconn* conn, asio::posix::stream_descriptor socket)
    : conn_(conn), socket_(std::move(socket)) {}

PgConnection::~PgConnection() {
  if (socket_.is_open()) socket_.release();  // libpq owns the descriptor and closes it
  PQfinish(conn_);
}

asio::awaitable<void> PgConnection::wait(descriptor_base::wait_type what) {
  auto [ec] = co_await socket_.async_wait(what, kUseTuple);
  if (ec) {
    broken_ = true;
    throw DatabaseError("PostgreSQL connection wait failed: " + ec.message(), "08006");
  }
}

void PgConnection::fail(PGresult* result) {
  std::string state;
  std::string message;
  if (result != nullptr) {
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    state = sqlstate ? sqlstate : "";
    message = trimmed(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (state.empty()) {
    state = "08006";
    message = trimmed(PQerrorMessage(conn_));
  }
  if (state.starts_with("08") || PQstatus(conn_) != CONNECTION_OK) broken_ = true;
  throw DatabaseError(message.empty() ? "PostgreSQL query failed" : message, state);
}

asio::awaitable<std::unique_ptr<PgConnection>> PgConnection::connect(
    std::string url, std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  const char* keywords[] = {"dbname", nullptr};
  const char* values[] = {url.c_str(), nullptr};
  PGconn* raw = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr)
    throw DatabaseError("out of memory starting a PostgreSQL connection", "08006");
  if (PQstatus(raw) == CONNECTION_BAD) {
    const std::string message = trimmed(PQerrorMessage(raw));
    PQfinish(raw);
    throw DatabaseError("cannot connect to PostgreSQL: " + message, "08006");
  }
  std::unique_ptr<PgConnection> connection(
      new PgConnection(raw, asio::posix::stream_descriptor(executor)));

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
      co_await connection->wait(status == PGRES_POLLING_READING ? descriptor_base::wait_read
                                                                : descriptor_base::wait_write);
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
    throw DatabaseError("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(raw)), "08006");
  }
  if (PQsetnonblocking(raw, 1) != 0) {
    throw DatabaseError("cannot make the PostgreSQL connection non-blocking", "08006");
  }
  co_return connection;
}

asio::awaitable<PgResult> PgConnection::query(std::string sql, std::vector<Param> params) {
  if (broken_) throw DatabaseError("PostgreSQL connection is broken", "08006");
  const auto started = std::chrono::steady_clock::now();
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0)) {
    fail(nullptr);
  }
  // Send everything; while the server has not taken it all, read what it says meanwhile.
  while (true) {
    const int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) fail(nullptr);
    co_await wait(descriptor_base::wait_write);
  }
  using Owned = std::unique_ptr<PGresult, decltype(&PQclear)>;
  Owned last(nullptr, &PQclear);   // the statement's result
  Owned error(nullptr, &PQclear);  // its first error, if any
  while (true) {
    if (!PQconsumeInput(conn_)) fail(nullptr);
    while (!PQisBusy(conn_)) {
      Owned result(PQgetResult(conn_), &PQclear);
      if (result == nullptr) {  // the statement is done
        busy_time_ += std::chrono::steady_clock::now() - started;
        if (error != nullptr) fail(error.release());
        if (last == nullptr) fail(nullptr);
        co_return PgResult(last.release());
      }
      if (PQresultStatus(result.get()) == PGRES_FATAL_ERROR) {
        if (error == nullptr) error = std::move(result);
      } else {
        last = std::move(result);
      }
    }
    co_await wait(descriptor_base::wait_read);
  }
}

}  // namespace pend::db
