// The metrics-collector against real PostgreSQL and Redis: a system_metrics row for every
// figure of every type, with its unit and the configured levels.
#include "workers/metrics_collector.hpp"
#include "db/blocking_session.hpp"
#include "support/databases.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

TEST(MetricsCollectorTest, EveryTypeOfFigureWithUnitsAndLevels) {
  ScratchDatabase database;
  const auto redis_url = env("PEND_TEST_REDIS_URL");
  if (!database.available() || redis_url.empty()) {
    GTEST_SKIP() << "scripts/test provides PostgreSQL and Redis";
  }
  std::string error;
  workers::MetricsCollector collector(
      {.instance = "collector-test",
       .interval = 1s,
       .thresholds = {*config::parse_threshold("cpu_usage_percent warn=80 crit=95", &error),
                      *config::parse_threshold("db_cache_hit_percent warn=95 crit=90 below",
                                               &error)},
       .log_dir = "/tmp",
       .upload_dir = "/tmp/pend-collector-test-not-made/uploads",
       .redis = config::parse_redis_url(redis_url)});
  db::BlockingSession session(database.url());
  std::atomic<bool> stopping{false};
  workers::RunContext ctx(session, std::chrono::steady_clock::now() + 30s, stopping);
  const auto first = collector.run(ctx);
  const auto second = collector.run(ctx);  // with rates since the first
  EXPECT_GT(first.at("rows_written").as_int64(), 15);
  EXPECT_EQ(database.value("SELECT string_agg(DISTINCT metric_type, ',' ORDER BY metric_type) "
                           "FROM system_metrics"),
            "cpu,database,disk,memory,network,process,redis");
  EXPECT_EQ(database.value("SELECT count(DISTINCT server_instance) || ' ' || "
                           "min(server_instance) FROM system_metrics"),
            "1 collector-test");
  EXPECT_EQ(database.value("SELECT unit || ' ' || threshold_warning::int || ' ' || "
                           "threshold_critical::int || ' ' || (value BETWEEN 0 AND 100) FROM "
                           "system_metrics WHERE metric_name = 'cpu_usage_percent' LIMIT 1"),
            "percent 80 95 true");
  EXPECT_EQ(database.value("SELECT metadata->>'threshold_below' FROM system_metrics WHERE "
                           "metric_name = 'db_cache_hit_percent' LIMIT 1"),
            "true");
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE metric_name = "
                           "'disk_used_percent' AND metadata->>'path' IN ('/tmp', "
                           "'/tmp/pend-collector-test-not-made/uploads')"),
            "4")
      << "both directories, twice; the upload dir measured on its parent's filesystem";
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE metric_name = "
                           "'memory_used_percent' AND threshold_warning IS NULL"),
            "2")
      << "no levels configured for it here";
  EXPECT_EQ(database.value("SELECT count(*) > 0 FROM system_metrics WHERE metric_name = "
                           "'db_connections' AND metadata->>'state' = 'active'"),
            "t")
      << "this session itself is active";
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE metric_name = "
                           "'redis_evicted_keys_per_second'"),
            "1")
      << "a rate: from the second run on";
  // The second run writes the same rows plus its rate, except that db_connections has a row
  // per connection state the server has at that moment (other tests share it).
  const auto states = database.value(
      "SELECT string_agg(n::text, ' ' ORDER BY t) FROM (SELECT timestamp t, count(*) n FROM "
      "system_metrics WHERE metric_name = 'db_connections' GROUP BY timestamp) runs");
  const auto space = states.find(' ');
  ASSERT_NE(space, std::string::npos) << states;
  const auto more_states =
      std::stoll(states.substr(space + 1)) - std::stoll(states.substr(0, space));
  EXPECT_EQ(second.at("rows_written").as_int64(),
            first.at("rows_written").as_int64() + 1 + more_states);
}

}  // namespace
}  // namespace pend::test
