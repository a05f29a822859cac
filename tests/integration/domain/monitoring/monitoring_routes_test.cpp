// The admin read API over the monitoring tables, against real PostgreSQL: per-route figures
// computed in SQL, the latest system figures per instance, cursor pages, clear refusals of
// bad parameters, and who may ask.
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace pend::test {
namespace {

TEST(MonitoringRoutesTest, PerRouteFiguresComputedInSqlAndPagedByCursor) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  // /api/v1/a: 100 requests of 1..100 ms, 5 of them 5xx, 10 of them 4xx; /api/v1/b: 3 of 7 ms;
  // an hour-old request outside the default window.
  database.value(
      "INSERT INTO api_metrics (endpoint, method, response_time_ms, status_code, cache_hit, "
      "database_query_time_ms) SELECT '/api/v1/a', 'GET', i, CASE WHEN i <= 5 THEN 500 WHEN i "
      "<= 15 THEN 404 ELSE 200 END, i % 2 = 0, 1 FROM generate_series(1, 100) i "
      "UNION ALL SELECT '/api/v1/b', 'POST', 7, 201, false, 0 FROM generate_series(1, 3)");
  database.value(
      "INSERT INTO api_metrics (timestamp, endpoint, method, response_time_ms, status_code) "
      "VALUES (now() - interval '1 hour', '/api/v1/old', 'GET', 1, 200)");
  auto settings = test_settings();
  settings.database.url = database.url();
  TestServer server(settings);

  const auto all = request(server.port(), "GET", "/api/v1/admin/metrics/api");
  ASSERT_EQ(all.status, 200u) << all.body;
  // Numbers as people write them, not as Boost.JSON prints doubles (5E-2).
  EXPECT_NE(all.body.find(R"("error_rate":0.05,)"), std::string::npos) << all.body;
  EXPECT_NE(all.body.find(R"("p50_ms":50.5,)"), std::string::npos) << all.body;
  EXPECT_EQ(all.body.find("E-"), std::string::npos) << all.body;
  const auto body = all.json().as_object();
  EXPECT_EQ(body.at("window_seconds"), 900);
  EXPECT_TRUE(body.at("next_cursor").is_null());
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << "the hour-old request is outside the window";
  const auto& a = items[0].as_object();
  EXPECT_EQ(a.at("endpoint"), "/api/v1/a");
  EXPECT_EQ(a.at("count"), 100);
  EXPECT_EQ(a.at("errors"), 5);
  EXPECT_EQ(a.at("client_errors"), 10);
  EXPECT_DOUBLE_EQ(a.at("error_rate").to_number<double>(), 0.05);
  EXPECT_DOUBLE_EQ(a.at("p50_ms").to_number<double>(), 50.5);
  EXPECT_DOUBLE_EQ(a.at("p95_ms").to_number<double>(), 95.05);
  EXPECT_DOUBLE_EQ(a.at("p99_ms").to_number<double>(), 99.01);
  EXPECT_EQ(a.at("max_ms"), 100);
  EXPECT_DOUBLE_EQ(a.at("cache_hit_rate").to_number<double>(), 0.5);
  EXPECT_EQ(items[1].at("endpoint"), "/api/v1/b");
  EXPECT_EQ(items[1].at("method"), "POST");

  const auto wide = request(server.port(), "GET", "/api/v1/admin/metrics/api?window=2h");
  EXPECT_EQ(wide.json().at("items").as_array().size(), 3u);

  const auto first = request(server.port(), "GET", "/api/v1/admin/metrics/api?limit=1");
  ASSERT_EQ(first.status, 200u);
  const auto cursor = first.json().at("next_cursor");
  ASSERT_TRUE(cursor.is_string()) << first.body;
  const auto second =
      request(server.port(), "GET",
              "/api/v1/admin/metrics/api?limit=1&cursor=" + std::string{cursor.as_string()});
  ASSERT_EQ(second.status, 200u) << second.body;
  EXPECT_EQ(second.json().at("items").at(0).at("endpoint"), "/api/v1/b");
  EXPECT_TRUE(second.json().at("next_cursor").is_null());
}

TEST(MonitoringRoutesTest, TheLatestSystemFiguresPerInstanceAndMetric) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  database.value(
      "INSERT INTO system_metrics (timestamp, server_instance, metric_type, metric_name, value, "
      "unit, threshold_warning, threshold_critical, metadata) VALUES "
      "(now() - interval '2 minutes', 'api-1', 'cpu', 'cpu_usage_percent', 10, 'percent', 80, 95, "
      "'{}'), (now() - interval '1 minute', 'api-1', 'cpu', 'cpu_usage_percent', 97.5, "
      "'percent', 80, 95, '{}'), (now(), 'api-2', 'cpu', 'cpu_usage_percent', 20, 'percent', 80, "
      "95, '{}'), (now(), 'api-1', 'disk', 'disk_used_percent', 50, 'percent', 85, 95, "
      "'{\"path\": \"/var/log\"}'), (now(), 'api-1', 'disk', 'disk_used_percent', 60, 'percent', "
      "85, 95, '{\"path\": \"/srv/uploads\"}')");
  auto settings = test_settings();
  settings.database.url = database.url();
  TestServer server(settings);

  const auto all = request(server.port(), "GET", "/api/v1/admin/metrics/system");
  ASSERT_EQ(all.status, 200u) << all.body;
  const auto json = all.json();
  const auto& items = json.at("items").as_array();
  ASSERT_EQ(items.size(), 4u) << all.body;
  EXPECT_EQ(items[0].at("server_instance"), "api-1");
  EXPECT_EQ(items[0].at("metric_name"), "cpu_usage_percent");
  EXPECT_DOUBLE_EQ(items[0].at("value").to_number<double>(), 97.5) << "the latest, not the first";
  EXPECT_DOUBLE_EQ(items[0].at("threshold_critical").to_number<double>(), 95);
  EXPECT_EQ(items[1].at("metadata").at("path"), "/srv/uploads");
  EXPECT_EQ(items[2].at("metadata").at("path"), "/var/log");
  EXPECT_EQ(items[3].at("server_instance"), "api-2");
  EXPECT_FALSE(items[0].as_object().contains("metadata_text")) << "an internal column";

  const auto api2 = request(server.port(), "GET", "/api/v1/admin/metrics/system?instance=api-2");
  EXPECT_EQ(api2.json().at("items").as_array().size(), 1u);
  const auto disks = request(server.port(), "GET", "/api/v1/admin/metrics/system?type=disk");
  EXPECT_EQ(disks.json().at("items").as_array().size(), 2u);
  // Pages through the disks of api-1 one at a time, the metadata in the cursor.
  const auto page = request(server.port(), "GET", "/api/v1/admin/metrics/system?type=disk&limit=1");
  const auto next = request(server.port(), "GET",
                            "/api/v1/admin/metrics/system?type=disk&limit=1&cursor=" +
                                std::string{page.json().at("next_cursor").as_string()});
  ASSERT_EQ(next.status, 200u) << next.body;
  EXPECT_EQ(next.json().at("items").at(0).at("metadata").at("path"), "/var/log");
}

TEST(MonitoringRoutesTest, BadParametersAreRefusedClearlyAndOnlyOpsMayAsk) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  auto settings = test_settings();
  settings.database.url = database.url();
  settings.ops.token = "ops-token-0123456789";
  TestServer server(settings);
  const auto code = [](const HttpResponse& r) {
    return std::to_string(r.status) + " " +
           std::string{r.json().at("error").at("code").as_string()};
  };
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/api?windw=5m")),
            "400 unknown_parameter");
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/api?window=5d1")),
            "422 validation_failed");
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/api?limit=0")),
            "422 validation_failed");
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/api?cursor=garbage")),
            "400 invalid_cursor");
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/system?cursor=W10")),
            "400 invalid_cursor")
      << "an empty list is not this list's cursor";

  // Through the trusted proxy on 127.0.0.1, for a client elsewhere.
  const std::pair<std::string, std::string> remote{"X-Forwarded-For", "203.0.113.7"};
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/api", {remote})),
            "403 forbidden");
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/system",
                         {remote, {"Authorization", "Bearer wrong-token-0123456"}})),
            "403 forbidden");
  // A forwarded request is never a local one, even when the chain claims loopback.
  EXPECT_EQ(code(request(server.port(), "GET", "/api/v1/admin/metrics/system",
                         {{"X-Forwarded-For", "127.0.0.1"}})),
            "403 forbidden");
  EXPECT_EQ(
      code(request(server.port(), "GET", "/api/v1/admin/metrics/api?window=5124095576030432h")),
      "422 validation_failed")
      << "a window too large to count in seconds";
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/admin/metrics/system",
                    {remote, {"Authorization", "Bearer ops-token-0123456789"}})
                .status,
            200u);
}

}  // namespace
}  // namespace pend::test
