// CacheService against a real Redis: the plan's keys and TTL tiers as Redis stores them,
// and invalidation by pattern with SCAN over 100k keys.
#include "cache/cache_service.hpp"
#include "support/databases.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using cache::Reply;
using namespace std::chrono_literals;

struct CacheServiceTest : ::testing::Test {
  void SetUp() override {
    if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  }
  TempRedis server;
  RedisOnLoop r{server.url()};
  util::ManualClock clock{
      std::chrono::system_clock::time_point{std::chrono::milliseconds(1'732'550'400'000)}};
  cache::CacheService cache{r.redis, config::CacheSettings{}, clock};

  template <typename T>
  T run(asio::awaitable<T> body) {
    return run_until_done(r.loop, std::move(body));
  }
  std::int64_t ttl(const std::string& key) {
    return run([&]() -> asio::awaitable<std::int64_t> {
      Reply reply = co_await r.redis.command("TTL", key);
      co_return *reply.integer();
    }());
  }
};

TEST_F(CacheServiceTest, ApiResponsesUnderThePlansKeyWithTheirTierTtlAndReadBackWithAge) {
  EXPECT_EQ(cache.ttl(http::CacheTier::short_ttl), 30s);
  EXPECT_EQ(cache.ttl(http::CacheTier::default_ttl), 300s);
  EXPECT_EQ(cache.ttl(http::CacheTier::long_ttl), 3600s);
  run([&]() -> asio::awaitable<void> {
    co_await cache.cache_api_response("/api/v1/explorer/blocks", "GET", "limit=10&page=2",
                                      R"({"items":[1,2]})", "application/json",
                                      cache.ttl(http::CacheTier::short_ttl));
    co_await cache.cache_api_response("/api/v1/config", "GET", "", "{}", "application/json",
                                      cache.ttl(http::CacheTier::long_ttl));
  }());
  const std::string key = cache::api_key("GET", "/api/v1/explorer/blocks", "page=2&limit=10");
  EXPECT_EQ(key.rfind("api:GET:/api/v1/explorer/blocks:", 0), 0u);
  const auto stored_ttl = ttl(key);
  EXPECT_GT(stored_ttl, 25);
  EXPECT_LE(stored_ttl, 30);
  EXPECT_GT(ttl(cache::api_key("GET", "/api/v1/config", "")), 3500);

  const auto fields = run([&]() -> asio::awaitable<std::vector<std::string>> {
    Reply reply = co_await r.redis.command("HMGET", key, "data", "cached_at", "ttl");
    co_return std::vector<std::string>{std::string{reply[0].text()}, std::string{reply[1].text()},
                                       std::string{reply[2].text()}};
  }());
  EXPECT_EQ(fields, (std::vector<std::string>{R"({"items":[1,2]})", "1732550400000", "30"}));

  clock.advance(4500ms);
  const auto hit =
      run(cache.get_cached_api_response("/api/v1/explorer/blocks", "GET", "page=2&limit=10"));
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->cache_hit);
  EXPECT_EQ(hit->data, R"({"items":[1,2]})");
  EXPECT_EQ(hit->content_type, "application/json");
  EXPECT_EQ(hit->ttl, 30s);
  EXPECT_EQ(hit->age, 4500ms);
  EXPECT_FALSE(run(cache.get_cached_api_response("/api/v1/explorer/blocks", "GET", "page=3")));
}

TEST_F(CacheServiceTest, AStoreReplacesWhateverHeldTheKey) {
  const std::string key = cache::api_key("GET", "/api/v1/config", "");
  run([&]() -> asio::awaitable<void> {
    co_await r.redis.command("SET", key, "left by an older version");  // not a hash
    co_await cache.put_response(key, "{}", "application/json", 30s);
  }());
  const auto hit = run(cache.get_response(key));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->data, "{}");
}

TEST_F(CacheServiceTest, BlockchainDataAndPerMinuteMetrics) {
  run([&]() -> asio::awaitable<void> {
    co_await cache.cache_blockchain_data("block", "100", boost::json::parse(R"({"hash":"0xab"})"),
                                         100);
    co_await cache.cache_metrics("api", boost::json::parse(R"({"requests":7})"));
  }());
  EXPECT_GT(ttl("blockchain:block:100"), 25);
  EXPECT_LE(ttl("blockchain:block:100"), 30) << "short tier";
  const auto chain = run(cache.get_blockchain_data("block", "100"));
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->block_number, 100);
  EXPECT_EQ(boost::json::serialize(chain->data), R"({"hash":"0xab"})");

  const std::string minute_key = "metrics:api:" + std::to_string(1'732'550'400'000 / 60'000);
  EXPECT_GT(ttl(minute_key), 55);
  EXPECT_LE(ttl(minute_key), 60);
  const auto metrics = run(cache.get_metrics("api"));
  ASSERT_TRUE(metrics);
  EXPECT_EQ(boost::json::serialize(*metrics), R"({"requests":7})");
  clock.advance(60s);
  EXPECT_FALSE(run(cache.get_metrics("api"))) << "the next minute has its own key";
}

TEST_F(CacheServiceTest, InvalidationWalksOneHundredThousandKeysWithScanAndLeavesTheRest) {
  // 100,000 matching keys and 1,000 that must survive, written in pipelined batches.
  run([&]() -> asio::awaitable<void> {
    for (int batch = 0; batch < 101; ++batch) {
      cache::Pipeline write;
      for (int i = 0; i < 1000; ++i) {
        const int n = batch * 1000 + i;
        if (batch < 100) {
          write.add("SET", "api:GET:/api/v1/explorer/tx/" + std::to_string(n) + ":x", "1");
        } else {
          write.add("SET", "api:GET:/api/v1/config:" + std::to_string(n), "1");
        }
      }
      co_await r.redis.pipeline(write);
    }
  }());
  const auto removed = run(cache.invalidate_pattern("api:GET:/api/v1/explorer/*", 1000));
  EXPECT_EQ(removed, 100'000u);
  const auto left = run([&]() -> asio::awaitable<std::int64_t> {
    Reply size = co_await r.redis.command("DBSIZE");
    co_return *size.integer();
  }());
  EXPECT_EQ(left, 1000);
  EXPECT_EQ(run(cache.invalidate_pattern("api:GET:/api/v1/explorer/*")), 0u);
  // The commandstats show SCAN and UNLINK, and no KEYS.
  const auto stats = run([&]() -> asio::awaitable<std::string> {
    Reply info = co_await r.redis.command("INFO", "commandstats");
    co_return std::string{info.text()};
  }());
  EXPECT_NE(stats.find("cmdstat_scan:"), std::string::npos);
  EXPECT_NE(stats.find("cmdstat_unlink:"), std::string::npos);
  EXPECT_EQ(stats.find("cmdstat_keys:"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
