// The Redis client against real redis-server processes of the test's own: pipelining,
// AUTH and SELECT, scripts after SCRIPT FLUSH, command timeouts, a killed and restarted
// server (every in-flight command fails clearly, then it reconnects by itself).
#include "cache/redis_error.hpp"
#include "support/databases.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using cache::RedisError;
using cache::Reply;
using namespace std::chrono_literals;

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

// Waits (polling, bounded) until the client's connection is up.
void wait_up(RedisOnLoop& r) {
  for (int i = 0; i < 200 && !r.redis.up(); ++i) r.loop.run_for(25ms);
  ASSERT_TRUE(r.redis.up());
}

TEST(RedisClientTest, CommandsFromManyCoroutinesShareOnePipelinedConnection) {
  if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  TempRedis server;
  RedisOnLoop r(server.url());
  const auto result = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
    co_await r.redis.command("SET", "greeting", "hello", "PX", 60'000);
    Reply got = co_await r.redis.command("GET", "greeting");
    Reply missing = co_await r.redis.command("GET", "nothing-here");
    EXPECT_TRUE(missing.is_nil());
    Reply n = co_await r.redis.command("INCRBY", "counter", 41);
    EXPECT_EQ(n.integer(), 41);
    co_return std::string{got.text()};
  }());
  EXPECT_EQ(result, "hello");

  // 2,000 concurrent INCRs from 2,000 coroutines: all answered, in order, on one connection.
  int answered = 0;
  for (int i = 0; i < 2000; ++i) {
    asio::co_spawn(
        r.loop,
        [&]() -> asio::awaitable<void> {
          co_await r.redis.command("INCR", "concurrent");
          ++answered;
        },
        asio::detached);
  }
  for (int i = 0; i < 400 && answered < 2000; ++i) r.loop.run_for(25ms);
  EXPECT_EQ(answered, 2000);
  const auto total = run_until_done(r.loop, [&]() -> asio::awaitable<std::int64_t> {
    Reply clients = co_await r.redis.command("CLIENT", "LIST");
    EXPECT_EQ(std::string{clients.text()}.find("pend-test"),
              std::string{clients.text()}.rfind("pend-test"))
        << "one connection, named: " << clients.text();
    Reply value = co_await r.redis.command("GET", "concurrent");
    co_return *value.integer();
  }());
  EXPECT_EQ(total, 2000);
  EXPECT_EQ(r.redis.local(r.loop.get_executor()).figures().connects.load(), 1u);
}

TEST(RedisClientTest, ErrorRepliesThrowAndLeaveTheConnectionUsable) {
  if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  TempRedis server;
  RedisOnLoop r(server.url());
  run_until_done(r.loop, [&]() -> asio::awaitable<void> {
    co_await r.redis.command("SET", "text", "abc");
    bool threw = false;
    try {
      co_await r.redis.command("INCR", "text");
    } catch (const RedisError& error) {
      threw = error.kind() == RedisError::Kind::reply;
      EXPECT_NE(std::string{error.what()}.find("not an integer"), std::string::npos);
    }
    EXPECT_TRUE(threw);
    Reply after = co_await r.redis.command("GET", "text");
    EXPECT_EQ(after.text(), "abc");
  }());
}

TEST(RedisClientTest, PasswordUserAndDatabaseFromTheUrl) {
  if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  // An ACL user besides the default user's password (redis-server joins the words).
  TempRedis server(
      {"--requirepass", "s3cret-pw", "--user", "app", "on", ">app-pw", "~*", "&*", "+@all"});
  {
    RedisOnLoop r(server.url(":s3cret-pw", 5));
    wait_up(r);
    const auto db = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
      co_await r.redis.command("SET", "where", "db5");
      Reply info = co_await r.redis.command("CLIENT", "INFO");
      co_return std::string{info.text()};
    }());
    EXPECT_NE(db.find(" db=5 "), std::string::npos) << db;
  }
  {
    RedisOnLoop r(server.url("app:app-pw", 2));  // an ACL user: AUTH user password
    wait_up(r);
    const auto info = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
      Reply reply = co_await r.redis.command("CLIENT", "INFO");
      co_return std::string{reply.text()};
    }());
    EXPECT_NE(info.find(" user=app "), std::string::npos) << info;
    EXPECT_NE(info.find(" db=2 "), std::string::npos) << info;
  }
  {
    RedisOnLoop r(server.url(":wrong-pw"));
    for (int i = 0; i < 40; ++i) r.loop.run_for(25ms);
    EXPECT_FALSE(r.redis.up());
    const auto error = r.redis.local(r.loop.get_executor()).last_error();
    EXPECT_EQ(error, "Redis refused the credentials");
    EXPECT_EQ(error.find("wrong-pw"), std::string::npos);
  }
  {
    RedisOnLoop r(server.url());
    for (int i = 0; i < 40; ++i) r.loop.run_for(25ms);
    EXPECT_NE(r.redis.local(r.loop.get_executor()).last_error().find("requires a password"),
              std::string::npos);
  }
}

TEST(RedisClientTest, ScriptsRunBySha1AndReloadAfterAFlush) {
  if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  TempRedis server;
  RedisOnLoop r(server.url());
  static const cache::Script kDouble{"return tonumber(ARGV[1]) * 2"};
  run_until_done(r.loop, [&]() -> asio::awaitable<void> {
    Reply first = co_await r.redis.eval(kDouble, 0, 21);
    EXPECT_EQ(first.integer(), 42);
    co_await r.redis.command("SCRIPT", "FLUSH");
    Reply again = co_await r.redis.eval(kDouble, 0, 50);
    EXPECT_EQ(again.integer(), 100);
  }());
}

TEST(RedisClientTest, ASilentServerTimesOutEveryCommandInFlightThenTheClientReconnects) {
  if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  TempRedis server({"--enable-debug-command", "yes"});
  RedisOnLoop r(server.url());  // command timeout 500 ms
  wait_up(r);
  std::vector<std::string> outcomes;
  run_until_done(r.loop, [&]() -> asio::awaitable<void> {
    // DEBUG SLEEP stalls the whole server: everything behind it waits too.
    for (int i = 0; i < 3; ++i) {
      asio::co_spawn(
          co_await asio::this_coro::executor,
          [&, i]() -> asio::awaitable<void> {
            try {
              if (i == 0) {
                co_await r.redis.command("DEBUG", "SLEEP", "2");
              } else {
                co_await r.redis.command("PING");
              }
              outcomes.push_back("answered");
            } catch (const RedisError& error) {
              outcomes.push_back(error.kind() == RedisError::Kind::timeout ? "timeout" : "other");
            }
          },
          asio::detached);
    }
    co_await sleep_for(1500ms);
  }());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"timeout", "timeout", "timeout"}));
  EXPECT_EQ(r.redis.local(r.loop.get_executor()).figures().timeouts.load(), 1u);
  std::this_thread::sleep_for(1s);  // the server wakes up
  wait_up(r);
  const auto pong = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
    Reply reply = co_await r.redis.command("PING");
    co_return std::string{reply.text()};
  }());
  EXPECT_EQ(pong, "PONG");
}

TEST(RedisClientTest, KilledServerFailsFastAndTheClientRecoversWhenItReturns) {
  if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  TempRedis server;
  RedisOnLoop r(server.url());
  wait_up(r);
  server.kill();
  // The connection notices the close; while down, commands fail at once.
  std::string kind;
  for (int attempt = 0; attempt < 100 && kind.empty(); ++attempt) {
    kind = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
      try {
        co_await r.redis.command("PING");
        co_await sleep_for(20ms);
        co_return std::string{};
      } catch (const RedisError& error) {
        co_return std::string{error.kind() == RedisError::Kind::unavailable ? "unavailable"
                                                                            : "other"};
      }
    }());
  }
  EXPECT_EQ(kind, "unavailable");
  EXPECT_FALSE(r.redis.up());
  const auto started = std::chrono::steady_clock::now();
  const bool failed_fast = run_until_done(r.loop, [&]() -> asio::awaitable<bool> {
    for (int i = 0; i < 50; ++i) {
      try {
        co_await r.redis.command("PING");
      } catch (const RedisError&) {
        continue;
      }
      co_return false;
    }
    co_return true;
  }());
  EXPECT_TRUE(failed_fast);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "no command waited for a timeout";

  server.start();
  wait_up(r);
  const auto pong = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
    Reply reply = co_await r.redis.command("PING");
    co_return std::string{reply.text()};
  }());
  EXPECT_EQ(pong, "PONG");
  const auto& figures = r.redis.local(r.loop.get_executor()).figures();
  EXPECT_EQ(figures.connects.load(), 2u);
  EXPECT_GE(figures.disconnects.load(), 1u);
  EXPECT_GE(figures.failed.load(), 50u);
}

}  // namespace
}  // namespace pend::test
