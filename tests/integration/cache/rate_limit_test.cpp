// Rate limiting through whole servers sharing one Redis: headers, 429 with Retry-After,
// exactness across two instances under concurrent load, one security event per key and
// window, phone keys that never hold the number, and the in-memory fallback when Redis
// is down.
#include "middleware/rate_limit.hpp"
#include "http/request_context.hpp"
#include "security/digest.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RateLimitTest : ::testing::Test {
  void SetUp() override {
    if (!database.available() || !TempRedis::available()) {
      GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
    }
  }
  config::Settings settings(std::vector<std::string> rules) {
    auto s = test_settings();
    s.redis.url = redis.url();
    s.database.url = database.url();
    s.rate_limit.enabled = true;
    s.rate_limit.rules = std::move(rules);
    return s;
  }
  static void routes(app::Application& app) {
    app.router().add(http::Method::get, "/test/ping",
                     [](http::RequestContext& ctx) -> asio::awaitable<void> {
                       ctx.json(200, {{"pong", true}});
                       co_return;
                     });
    // A route that knows the phone number applies the phone rules itself, with a key that
    // is a hash of the normalised number (here: its digits).
    app.router().add(http::Method::post, "/test/otp",
                     [&app](http::RequestContext& ctx) -> asio::awaitable<void> {
                       std::string digits;
                       for (const char c : ctx.body.at("phone").as_string()) {
                         if (c >= '0' && c <= '9') digits += c;
                       }
                       co_await app.rate_limit().check(ctx, config::RateLimitRule::Key::phone,
                                                       security::sha256_hex(digits).substr(0, 32));
                       ctx.json(200, {{"sent", true}});
                     },
                     {.json_body = true, .group = "auth"});
  }
  static Headers from(const std::string& ip) { return {{"X-Forwarded-For", ip}}; }
  // Rows arrive off the request path: wait for the count to reach at least expected, then
  // give a late duplicate the chance to show up.
  std::string events_for(const std::string& ip, int expected) {
    const std::string sql =
        "SELECT count(*) FROM security_events WHERE event_type = 'rate_limit_exceeded' AND "
        "ip_address = '" +
        ip + "'";
    for (int i = 0; i < 100 && std::stoi(database.value(sql)) < expected; ++i) {
      std::this_thread::sleep_for(50ms);
    }
    std::this_thread::sleep_for(300ms);
    return database.value(sql);
  }

  TempRedis redis;
  ScratchDatabase database;
};

TEST_F(RateLimitTest, HeadersCountDownThen429WithRetryAfterAndOneSecurityEventPerKey) {
  TestServer server(settings({"tight * ip 3/1h medium"}), routes);
  for (int i = 1; i <= 3; ++i) {
    const auto ok = request(server.port(), "GET", "/test/ping", from("198.51.100.1"));
    ASSERT_EQ(ok.status, 200u);
    EXPECT_EQ(ok.header("RateLimit-Limit"), "3");
    EXPECT_EQ(ok.header("RateLimit-Remaining"), std::to_string(3 - i));
    const int reset = std::stoi(ok.header("RateLimit-Reset"));
    EXPECT_GT(reset, 3500);
    EXPECT_LE(reset, 3600);
  }
  for (int i = 0; i < 5; ++i) {
    const auto refused = request(server.port(), "GET", "/test/ping", from("198.51.100.1"));
    ASSERT_EQ(refused.status, 429u);
    EXPECT_EQ(refused.json().at("error").at("code"), "rate_limited");
    EXPECT_EQ(refused.json().at("error").at("details").at(0).at("rule"), "tight");
    EXPECT_GT(std::stoi(refused.header("Retry-After")), 3500);
    EXPECT_EQ(refused.header("RateLimit-Remaining"), "0");
    EXPECT_FALSE(refused.header("X-Request-Id").empty());
  }
  EXPECT_EQ(request(server.port(), "GET", "/test/ping", from("198.51.100.2")).status, 200u)
      << "another address has its own window";
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live", from("198.51.100.1")).status, 200u)
      << "probes are never limited";

  EXPECT_EQ(events_for("198.51.100.1", 1), "1") << "five refusals, one event";
  const auto row = database.value(
      "SELECT severity || ' ' || automatic_action_taken || ' ' || endpoint || ' ' || "
      "(threat_indicators->>'rule') || ' ' || (threat_indicators->>'limit') FROM "
      "security_events WHERE ip_address = '198.51.100.1'");
  EXPECT_EQ(row, "medium rate_limited /test/ping tight 3");
  EXPECT_EQ(events_for("198.51.100.2", 0), "0");
  const auto metrics = request(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(pend_rate_limit_refusals_total{rule="tight"} 5)"), std::string::npos)
      << metrics;
}

TEST_F(RateLimitTest, TwoInstancesSharingRedisAdmitExactlyTheLimitUnderConcurrentLoad) {
  const auto s = settings({"shared * ip 100/1h high"});
  TestServer first(s, routes);
  TestServer second(s, routes);
  std::atomic<int> admitted{0}, refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        const auto port = (t + i) % 2 == 0 ? first.port() : second.port();
        const auto status = request(port, "GET", "/test/ping", from("203.0.113.50")).status;
        (status == 200 ? admitted : status == 429 ? refused : other)++;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(admitted.load(), 100) << "360 requests from one address through two instances";
  EXPECT_EQ(refused.load(), 260);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(events_for("203.0.113.50", 1), "1") << "one event across both instances";
}

TEST_F(RateLimitTest, PhoneRulesKeyOnAHashOfTheNumberWhateverItsFormatting) {
  TestServer server(settings({"otp auth phone 2/1h high"}), routes);
  const Headers json = {{"Content-Type", "application/json"}};
  auto send = [&](const std::string& phone) {
    return request(server.port(), "POST", "/test/otp", json, R"({"phone":")" + phone + R"("})")
        .status;
  };
  EXPECT_EQ(send("+1 (555) 010-9999"), 200u);
  EXPECT_EQ(send("+15550109999"), 200u);
  EXPECT_EQ(send("+1-555-010-9999"), 429u) << "the same number, formatted differently";
  EXPECT_EQ(send("+15550108888"), 200u) << "another number";
  EXPECT_EQ(request(server.port(), "GET", "/test/ping").status, 200u) << "not in group auth";

  RedisOnLoop r(redis.url());
  const auto keys = run_until_done(r.loop, [&]() -> asio::awaitable<std::string> {
    cache::Reply reply = co_await r.redis.command("KEYS", "rate_limit:*");
    std::string all;
    for (std::size_t i = 0; i < reply.size(); ++i) all += std::string{reply[i].text()} + " ";
    co_return all;
  }());
  EXPECT_NE(keys.find("rate_limit:otp:"), std::string::npos) << keys;
  EXPECT_EQ(keys.find("5550109999"), std::string::npos) << "no phone number in Redis: " << keys;
}

TEST_F(RateLimitTest, WithRedisDownEachInstanceStillLimitsInMemory) {
  TestServer server(settings({"fallback * ip 3/1h low"}), routes);
  EXPECT_EQ(request(server.port(), "GET", "/test/ping", from("192.0.2.9")).status, 200u);
  redis.stop();
  std::vector<unsigned> statuses;
  for (int i = 0; i < 5; ++i) {
    statuses.push_back(request(server.port(), "GET", "/test/ping", from("192.0.2.9")).status);
  }
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 429, 429}))
      << "the in-memory window starts afresh: 3 more, then refusals";
  const auto refused = request(server.port(), "GET", "/test/ping", from("192.0.2.9"));
  EXPECT_EQ(refused.header("RateLimit-Limit"), "3");
  EXPECT_EQ(events_for("192.0.2.9", 1), "1");
  const auto metrics = request(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(pend_rate_limit_local_decisions_total{rule="fallback"} 6)"),
            std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace pend::test
