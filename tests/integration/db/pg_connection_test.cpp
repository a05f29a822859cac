// The non-blocking PostgreSQL connection against the real server scripts/test starts.
#include "db/pg_connection.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

namespace pend::test {
namespace {

using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;
namespace asio = boost::asio;

// Runs a coroutine to completion on a fresh loop and returns its result (or throws).
template <typename F>
auto run(F&& body) {
  asio::io_context io;
  auto future = asio::co_spawn(io, std::forward<F>(body), asio::use_future);
  io.run();
  return future.get();
}

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = env("PEND_TEST_DATABASE_URL");
    if (url_.empty()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  }
  std::string url_;
};

TEST_F(PgConnectionTest, QueriesWithParametersAndNulls) {
  const auto rows = run([&]() -> asio::awaitable<db::PgResult> {
    auto conn = co_await db::PgConnection::connect(url_, 2s);
    std::vector<db::Param> params;
    params.emplace_back("41");
    params.emplace_back(std::nullopt);
    params.emplace_back("✓");
    auto result =
        co_await conn->query("SELECT $1::int + 1, $2::text IS NULL, 'ü' || $3", std::move(params));
    co_return result;
  });
  ASSERT_EQ(rows.rows(), 1);
  EXPECT_EQ(rows.value(0, 0), "42");
  EXPECT_EQ(rows.value(0, 1), "t");
  EXPECT_EQ(rows.value(0, 2), "ü✓");
}

TEST_F(PgConnectionTest, ErrorsCarryTheSqlstateAndTheConnectionStaysUsable) {
  const auto outcome = run([&]() -> asio::awaitable<std::pair<std::string, std::string>> {
    auto conn = co_await db::PgConnection::connect(url_, 2s);
    std::string state;
    try {
      co_await conn->query(std::string{"SELECT 1/0"});
    } catch (const db::DatabaseError& error) {
      state = error.sqlstate();
    }
    const auto after = co_await conn->query(std::string{"SELECT 'still fine'"});
    co_return std::pair{state, after.value(0, 0)};
  });
  EXPECT_EQ(outcome.first, "22012");  // division_by_zero
  EXPECT_EQ(outcome.second, "still fine");
}

TEST_F(PgConnectionTest, SlowQueriesDoNotBlockTheLoop) {
  // pg_sleep runs on the server while a timer on the same loop keeps firing.
  const int ticks = run([&]() -> asio::awaitable<int> {
    auto executor = co_await asio::this_coro::executor;
    auto conn = co_await db::PgConnection::connect(url_, 2s);
    auto ticks = std::make_shared<int>(0);
    auto ticking = std::make_shared<bool>(true);
    asio::co_spawn(
        executor,
        [executor, ticks, ticking]() -> asio::awaitable<void> {
          asio::steady_timer timer(executor);
          while (*ticking) {
            timer.expires_after(20ms);
            co_await timer.async_wait(asio::use_awaitable);
            ++*ticks;
          }
        },
        asio::detached);
    co_await conn->query(std::string{"SELECT pg_sleep(0.3)"});
    *ticking = false;
    co_return *ticks;
  });
  EXPECT_GE(ticks, 5) << "the loop ran other work during the query";
}

TEST_F(PgConnectionTest, UnreachableServerFailsWithAConnectionError) {
  asio::io_context probe;
  asio::ip::tcp::acceptor acceptor(probe, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  try {
    run([&]() -> asio::awaitable<void> {
      const std::string url =
          "postgresql://nobody:secret@127.0.0.1:" + std::to_string(port) + "/none";
      co_await db::PgConnection::connect(url, 2s);
    });
    FAIL() << "connected to nothing";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "08006");
    EXPECT_EQ(std::string{error.what()}.find("secret"), std::string::npos);
  }
}

TEST_F(PgConnectionTest, ConnectTimesOutAgainstASilentServer) {
  // A listener that never answers: the handshake must give up at the timeout.
  asio::io_context probe;
  asio::ip::tcp::acceptor silent(probe, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = silent.local_endpoint().port();
  try {
    run([&]() -> asio::awaitable<void> {
      const std::string url =
          "postgresql://x@127.0.0.1:" + std::to_string(port) + "/x?sslmode=disable";
      co_await db::PgConnection::connect(url, 300ms);
    });
    FAIL() << "a silent server cannot complete a handshake";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "57014") << error.what();
  }
}

}  // namespace
}  // namespace pend::test
