// The response cache through the whole server: X-Cache and Age, keys independent of the
// query's parameter order, only 200s stored, one handler run per burst of misses (single
// flight), HEAD, and the switch that turns it off.
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/request_context.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The query of /test/items: routes declare their parameters, and the cache keys on them.
struct ItemsQuery {
  static constexpr std::string_view kSchema = "ItemsQuery";
  std::optional<std::string> a;
  std::optional<std::string> b;
};
BOOST_DESCRIBE_STRUCT(ItemsQuery, (), (a, b))

struct ResponseCacheTest : ::testing::Test {
  void SetUp() override {
    if (!database.available() || !TempRedis::available()) {
      GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
    }
  }
  config::Settings settings() {
    auto s = test_settings();
    s.redis.url = redis.url();
    s.database.url = database.url();
    s.cache.enabled = true;
    return s;
  }
  // Test routes: /test/items answers its parameters (default tier); /test/slow counts its
  // runs and takes 300 ms; /test/flaky answers 404, then 200s; both in the short tier.
  std::function<void(app::Application&)> routes() {
    return [this](app::Application& app) {
      app.router().add(
          http::Method::get, "/test/items",
          [](http::RequestContext& ctx) -> asio::awaitable<void> {
            const auto query = http::read_query<ItemsQuery>(ctx);
            ctx.json(200, {{"a", query.a.value_or("")}, {"b", query.b.value_or("")}});
            co_return;
          },
          {.cache = http::CacheTier::default_ttl, .query = &http::schema_of<ItemsQuery>()});
      app.router().add(http::Method::get, "/test/slow",
                       [this](http::RequestContext& ctx) -> asio::awaitable<void> {
                         ++slow_runs;
                         asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
                         co_await timer.async_wait(asio::use_awaitable);
                         ctx.json(200, {{"run", slow_runs.load()}});
                       },
                       {.cache = http::CacheTier::short_ttl});
      app.router().add(http::Method::get, "/test/flaky",
                       [this](http::RequestContext& ctx) -> asio::awaitable<void> {
                         if (flaky_runs++ == 0) throw http::ApiError::not_found();
                         ctx.json(200, {{"ok", true}});
                         co_return;
                       },
                       {.cache = http::CacheTier::short_ttl});
    };
  }

  TempRedis redis;
  ScratchDatabase database;
  std::atomic<int> slow_runs{0};
  std::atomic<int> flaky_runs{0};
};

TEST_F(ResponseCacheTest, MissThenHitWithAgeAndTheSameBody) {
  TestServer server(settings(), routes());
  const auto first = request(server.port(), "GET", "/test/items?b=2&a=1");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.header("X-Cache"), "MISS");
  EXPECT_TRUE(first.header("Age").empty());
  // The entry is stored just after the response leaves; poll briefly for it.
  HttpResponse second;
  for (int i = 0; i < 100; ++i) {
    second = request(server.port(), "GET", "/test/items?a=1&b=2");  // other order
    if (second.header("X-Cache") == "HIT") break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(second.header("X-Cache"), "HIT") << "parameter order does not matter";
  EXPECT_EQ(second.status, 200u);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("Content-Type"), first.header("Content-Type"));
  EXPECT_FALSE(second.header("Age").empty());
  EXPECT_FALSE(second.header("X-Request-Id").empty());
  EXPECT_NE(second.header("X-Request-Id"), first.header("X-Request-Id"));

  const auto other = request(server.port(), "GET", "/test/items?a=1&b=3");
  EXPECT_EQ(other.header("X-Cache"), "MISS") << "other values, other entry";
  const auto head = request(server.port(), "HEAD", "/test/items?a=1&b=2");
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("X-Cache"), "HIT") << "HEAD shares GET's entry";
  EXPECT_EQ(head.header("Content-Length"), std::to_string(first.body.size()));

  const auto metrics = request(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(pend_cache_requests_total{route="/test/items",result="hit"})"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(pend_cache_requests_total{route="/test/items",result="miss"} 2)"),
            std::string::npos);
  EXPECT_NE(metrics.find("pend_redis_command_duration_seconds_count"), std::string::npos);
}

TEST_F(ResponseCacheTest, OnlySuccessfulResponsesAreStored) {
  TestServer server(settings(), routes());
  const auto not_found = request(server.port(), "GET", "/test/flaky");
  EXPECT_EQ(not_found.status, 404u);
  EXPECT_TRUE(not_found.header("X-Cache").empty());
  const auto ok = request(server.port(), "GET", "/test/flaky");
  EXPECT_EQ(ok.status, 200u) << "the 404 was not cached";
  EXPECT_EQ(ok.header("X-Cache"), "MISS");
  HttpResponse hit;
  for (int i = 0; i < 100 && hit.header("X-Cache") != "HIT"; ++i) {
    std::this_thread::sleep_for(20ms);
    hit = request(server.port(), "GET", "/test/flaky");
  }
  EXPECT_EQ(hit.header("X-Cache"), "HIT");
  EXPECT_EQ(flaky_runs.load(), 2);
}

TEST_F(ResponseCacheTest, ABurstOfMissesForOneKeyRunsTheHandlerOnce) {
  TestServer server(settings(), routes());
  constexpr int kClients = 24;
  std::vector<HttpResponse> responses(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] { responses[i] = request(server.port(), "GET", "/test/slow"); });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(slow_runs.load(), 1) << "one upstream call for the whole burst, across shards";
  for (const auto& response : responses) {
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.body, responses[0].body);
    EXPECT_EQ(response.header("X-Cache"), "MISS");
  }
  const auto metrics = request(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(pend_cache_requests_total{route="/test/slow",result="coalesced"})"),
            std::string::npos)
      << metrics;
}

TEST_F(ResponseCacheTest, TurnedOffItNeitherAnswersNorStores) {
  auto s = settings();
  s.cache.enabled = false;
  TestServer server(s, routes());
  for (int i = 0; i < 3; ++i) {
    const auto response = request(server.port(), "GET", "/test/slow");
    EXPECT_EQ(response.status, 200u);
    EXPECT_TRUE(response.header("X-Cache").empty());
  }
  EXPECT_EQ(slow_runs.load(), 3);
}

}  // namespace
}  // namespace pend::test
