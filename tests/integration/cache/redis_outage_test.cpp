// Redis killed and restarted under load: the cached route never answers 5xx (it misses and
// serves from PostgreSQL), readiness says degraded, and caching resumes by itself when Redis
// is back, without restarting pend-server.
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

TEST(RedisOutageTest, KilledAndRestartedWhileRequestsFlow) {
  ScratchDatabase database;
  if (!database.available() || !TempRedis::available()) {
    GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
  }
  TempRedis redis;
  auto settings = test_settings();
  settings.redis.url = redis.url();
  settings.redis.reconnect_max = 200ms;
  settings.database.url = database.url();
  settings.cache.enabled = true;
  settings.rate_limit.enabled = true;
  settings.rate_limit.rules = {"global * ip 1000000/1h low"};
  TestServer server(settings);

  // transition: responses in flight while Redis dies or comes back count for neither side.
  enum Phase { before, transition, outage, after };
  std::atomic<int> phase{before};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<std::pair<int, std::string>, int> seen;  // (phase, X-Cache) -> count
  std::map<unsigned, int> statuses;
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; !stop; ++i) {
        const auto res = request(server.port(), "GET", "/api/v1/config");
        std::lock_guard lock(mutex);
        ++statuses[res.status];
        ++seen[{phase.load(), res.header("X-Cache")}];
      }
    });
  }
  auto count = [&](int p, const std::string& outcome) {
    std::lock_guard lock(mutex);
    return seen[{p, outcome}];
  };
  for (int i = 0; i < 200 && count(before, "HIT") == 0; ++i) std::this_thread::sleep_for(20ms);

  phase = transition;
  redis.kill();
  std::this_thread::sleep_for(300ms);
  phase = outage;
  std::this_thread::sleep_for(1200ms);
  const auto ready = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(ready.status, 200u);
  EXPECT_EQ(ready.json().at("status"), "degraded");

  phase = transition;
  redis.start();  // the server may reconnect before this returns
  phase = after;
  for (int i = 0; i < 500 && count(after, "HIT") == 0; ++i) std::this_thread::sleep_for(20ms);
  stop = true;
  for (auto& client : clients) client.join();

  EXPECT_GT(count(before, "HIT"), 0);
  EXPECT_GT(count(outage, "MISS"), 0) << "served while Redis was gone";
  EXPECT_EQ(count(outage, "HIT"), 0);
  EXPECT_GT(count(after, "HIT"), 0) << "caching resumed without a restart";
  for (const auto& [status, n] : statuses) {
    EXPECT_LT(status, 500u) << n << " responses with status " << status;
  }
  // Each shard reconnects on its own backoff: give the last one a moment.
  std::string status;
  for (int i = 0; i < 100 && status != "ready"; ++i) {
    status = request(server.port(), "GET", "/api/v1/health/ready").json().at("status").as_string();
    if (status != "ready") std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, "ready");
  const auto metrics = request(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("pend_cache_lookup_failures_total{route=\"/api/v1/config\"}"),
            std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace pend::test
