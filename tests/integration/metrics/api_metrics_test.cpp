// api_metrics rows from a real server into real PostgreSQL: one per request with exact
// columns, database time only for the routes that query, and sampling.
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace pend::test {
namespace {

namespace fs = std::filesystem;

config::Settings api_metrics_settings(const ScratchDatabase& database, const std::string& name) {
  auto settings = test_settings();
  settings.database.url = database.url();
  settings.metrics.api_metrics = true;
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  settings.log.dir = base + "/pend-api-metrics-" + name + "-" + std::to_string(::getpid());
  return settings;
}

TEST(ApiMetricsTest, ARowPerRequestWithEveryColumn) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto settings = api_metrics_settings(database, "rows");
  std::vector<std::size_t> sizes;
  {
    TestServer server(settings);
    sizes.push_back(request(server.port(), "GET", "/api/v1/health/live").body.size());
    sizes.push_back(request(server.port(), "GET", "/api/v1/config").body.size());  // a query
    sizes.push_back(request(server.port(), "GET", "/no/such/route").body.size());
    sizes.push_back(request(server.port(), "POST", "/api/v1/health/live", {}, "{}").body.size());
  }  // shutting down delivers what the sink still holds
  EXPECT_EQ(
      database.value(
          "SELECT string_agg(concat_ws(' ', endpoint, method, status_code, request_size_bytes, "
          "response_size_bytes, cache_hit, user_id IS NULL, coalesce(error_type, '-'), "
          "external_api_time_ms, concurrent_requests >= 1, memory_usage_mb > 0, "
          // By content: two requests in one millisecond tie on timestamp (ids are random).
          "cpu_usage_percent >= 0, response_time_ms >= 0), '|' ORDER BY endpoint, method) "
          "FROM api_metrics"),
      "/api/v1/config GET 200 0 " + std::to_string(sizes[1]) +
          " f t - 0 t t t t|/api/v1/health/live GET 200 0 " + std::to_string(sizes[0]) +
          " f t - 0 t t t t|/api/v1/health/live POST 405 2 " + std::to_string(sizes[3]) +
          " f t method_not_allowed 0 t t t t|unmatched GET 404 0 " + std::to_string(sizes[2]) +
          " f t not_found 0 t t t t");
  EXPECT_EQ(database.value("SELECT string_agg(endpoint, ',') FROM api_metrics WHERE "
                           "database_query_time_ms > 0"),
            "/api/v1/config")
      << "database time only where the route queried";
  fs::remove_all(settings.log.dir);
}

TEST(ApiMetricsTest, SamplingKeepsThatShareOfRequestsEvenly) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  auto settings = api_metrics_settings(database, "sampling");
  settings.metrics.api_metrics_sample_percent = 25;
  settings.server.threads = 1;  // one thread: the spread is exact
  {
    TestServer server(settings);
    for (int i = 0; i < 40; ++i) request(server.port(), "GET", "/api/v1/health/live");
  }
  EXPECT_EQ(database.value("SELECT count(*) FROM api_metrics"), "10");
  fs::remove_all(settings.log.dir);
}

}  // namespace
}  // namespace pend::test
