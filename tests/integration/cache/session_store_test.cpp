// SessionStore against a real Redis, on an injected clock: tokens are hashed, sessions end
// by idle and absolute timeouts, and can be revoked one by one or all at once.
#include "cache/session_store.hpp"
#include "support/databases.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using cache::Reply;
using http::Principal;
using namespace std::chrono_literals;

struct SessionStoreTest : ::testing::Test {
  void SetUp() override {
    if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  }
  TempRedis server;
  RedisOnLoop r{server.url()};
  util::ManualClock clock{
      std::chrono::system_clock::time_point{std::chrono::milliseconds(1'732'550'400'000)}};
  config::SessionSettings settings{.absolute_timeout = 24h, .idle_timeout = 30min};
  cache::SessionStore sessions{r.redis, settings, clock};

  template <typename T>
  T run(asio::awaitable<T> body) {
    return run_until_done(r.loop, std::move(body));
  }
  cache::NewSession create(std::string_view user = "u-1") {
    return run(sessions.create(Principal::Kind::user, user, "203.0.113.7", "test-agent/1.0"));
  }
  std::optional<cache::Session> resolve(const std::string& token) {
    return run(sessions.resolve(token));
  }
};

TEST_F(SessionStoreTest, TheTokenIsGivenOnceAndRedisKeepsOnlyItsHash) {
  const auto created = create();
  EXPECT_EQ(created.token.size(), 43u);
  EXPECT_EQ(created.session.id.size(), 64u);
  const auto resolved = resolve(created.token);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->principal_id, "u-1");
  EXPECT_EQ(resolved->kind, Principal::Kind::user);
  EXPECT_EQ(resolved->ip_address, "203.0.113.7");
  EXPECT_EQ(resolved->user_agent, "test-agent/1.0");
  EXPECT_EQ(resolved->expires_at_ms, 1'732'550'400'000 + 86'400'000);

  // Every key and every value in Redis: the token appears nowhere.
  const auto everything = run([&]() -> asio::awaitable<std::string> {
    std::string all;
    Reply keys = co_await r.redis.command("KEYS", "*");  // a test Redis of its own
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const std::string key{keys[i].text()};
      all += key + "\n";
      Reply type = co_await r.redis.command("TYPE", key);
      if (type.text() == "hash") {
        Reply fields = co_await r.redis.command("HGETALL", key);
        for (std::size_t f = 0; f < fields.size(); ++f) all += std::string{fields[f].text()} + "\n";
      } else if (type.text() == "set") {
        Reply members = co_await r.redis.command("SMEMBERS", key);
        for (std::size_t m = 0; m < members.size(); ++m)
          all += std::string{members[m].text()} + "\n";
      }
    }
    co_return all;
  }());
  EXPECT_NE(everything.find("session:" + created.session.id), std::string::npos) << everything;
  EXPECT_NE(everything.find("sessions:user:u-1"), std::string::npos);
  EXPECT_EQ(everything.find(created.token), std::string::npos) << "the raw token is in Redis";

  EXPECT_FALSE(resolve(created.token.substr(0, 42) + (created.token[42] == 'A' ? "B" : "A")));
  EXPECT_FALSE(resolve("short"));
  EXPECT_FALSE(resolve(std::string(43, '!')));
}

TEST_F(SessionStoreTest, IdleSessionsEndAndUseKeepsThemAlive) {
  const auto created = create();
  clock.advance(29min);
  ASSERT_TRUE(resolve(created.token)) << "used within the idle timeout";
  clock.advance(29min);
  ASSERT_TRUE(resolve(created.token)) << "the last use counts, not the creation";
  clock.advance(30min);
  EXPECT_FALSE(resolve(created.token)) << "idle for 30 minutes";
  clock.advance(-10min);
  EXPECT_FALSE(resolve(created.token)) << "deleted, not just refused";
  EXPECT_TRUE(run(sessions.list(Principal::Kind::user, "u-1")).empty());
}

TEST_F(SessionStoreTest, SessionsEndAtTheAbsoluteTimeoutHoweverActive) {
  const auto created = create();
  for (int use = 0; use < 57; ++use) {  // every 25 minutes for 23 h 45 min
    clock.advance(25min);
    ASSERT_TRUE(resolve(created.token)) << "use " << use;
  }
  clock.advance(20min);
  EXPECT_FALSE(resolve(created.token)) << "24 h after creation";
  // The key's TTL follows: Redis itself forgets it no later than the absolute end.
  const auto fresh = create();
  const auto pttl = run([&]() -> asio::awaitable<std::int64_t> {
    Reply reply = co_await r.redis.command("PTTL", "session:" + fresh.session.id);
    co_return *reply.integer();
  }());
  EXPECT_GT(pttl, 29 * 60'000);
  EXPECT_LE(pttl, 30 * 60'000);
}

TEST_F(SessionStoreTest, RevokeOneRevokeAllAndList) {
  const auto a = create();
  clock.advance(1s);
  const auto b = create();
  clock.advance(1s);
  const auto c = create();
  const auto other = create("u-2");
  auto listed = run(sessions.list(Principal::Kind::user, "u-1"));
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, c.session.id) << "newest first";
  EXPECT_EQ(listed[2].id, a.session.id);

  const Principal stranger{Principal::Kind::user, "u-2", other.session.id};
  EXPECT_FALSE(run(sessions.revoke(a.session.id, &stranger))) << "not theirs to end";
  EXPECT_TRUE(resolve(a.token));
  const Principal owner{Principal::Kind::user, "u-1", a.session.id};
  EXPECT_TRUE(run(sessions.revoke(a.session.id, &owner)));
  EXPECT_FALSE(resolve(a.token));
  EXPECT_FALSE(run(sessions.revoke(a.session.id, &owner))) << "already ended";

  EXPECT_EQ(run(sessions.revoke_all(Principal::Kind::user, "u-1", c.session.id)), 1u);
  EXPECT_FALSE(resolve(b.token));
  EXPECT_TRUE(resolve(c.token)) << "kept";
  EXPECT_EQ(run(sessions.revoke_all(Principal::Kind::user, "u-1")), 1u);
  EXPECT_FALSE(resolve(c.token));
  EXPECT_TRUE(run(sessions.list(Principal::Kind::user, "u-1")).empty());
  EXPECT_TRUE(resolve(other.token)) << "another user's sessions are untouched";
  EXPECT_FALSE(run(sessions.list(Principal::Kind::admin, "u-2")).size())
      << "admin and user principals are separate";
}

}  // namespace
}  // namespace pend::test
