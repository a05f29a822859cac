// The alerting worker against real PostgreSQL and a local listener standing in for the
// webhook: one message per incident and one resolution, nothing while it lasts, a cooldown
// against flapping, retries until the webhook takes a message (once), alert_sent on the row,
// and rules over api_metrics and security_events.
#include "workers/alerting.hpp"

#include "db/blocking_session.hpp"
#include "support/databases.hpp"
#include "support/http_recorder.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pend::test {
namespace {

using namespace std::chrono_literals;
using workers::Alerting;
using workers::AlertingOptions;

struct AlertingFixture {
  explicit AlertingFixture(ScratchDatabase& database) : session(database.url()) {}

  boost::json::object run(Alerting& alerting) {
    workers::RunContext ctx(session, std::chrono::steady_clock::now() + 30s, stopping);
    return alerting.run(ctx);
  }
  void cpu(double value, const std::string& instance = "api-1") {
    session.exec(
        "INSERT INTO system_metrics (server_instance, metric_type, metric_name, value, unit, "
        "threshold_warning, threshold_critical) VALUES ($1, 'cpu', 'cpu_usage_percent', $2, "
        "'percent', 80, 95)",
        {instance, std::to_string(value)});
  }

  db::BlockingSession session;
  std::atomic<bool> stopping{false};
};

// A webhook that takes every message.
std::pair<unsigned, std::string> taken(const RecordedRequest&, std::size_t) { return {200, "{}"}; }

// A webhook's options for the tests of incidents: an hour's cooldown.
AlertingOptions hour_cooldown(const std::string& webhook_url) {
  return {.instance = "alerting-test",
          .cooldown = std::chrono::hours(1),
          .webhook_url = webhook_url,
          .webhook_timeout = 2s};
}

std::vector<boost::json::object> messages(HttpRecorder& hook) {
  std::vector<boost::json::object> out;
  for (const auto& request : hook.requests()) {
    if (request.method() == boost::beast::http::verb::post) {
      out.push_back(boost::json::parse(request.body()).as_object());
    }
  }
  return out;
}

TEST(AlertingTest, OneMessagePerIncidentAndOneResolutionThenACooldown) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  HttpRecorder hook(taken);
  Alerting alerting(hour_cooldown(hook.url("/hooks/pend")));
  AlertingFixture f(database);

  f.cpu(50);
  f.run(alerting);
  EXPECT_TRUE(messages(hook).empty()) << "under the levels";

  f.cpu(85);
  const auto opened = f.run(alerting);
  EXPECT_EQ(opened.at("opened"), 1);
  auto sent = messages(hook);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("status"), "firing");
  EXPECT_EQ(sent[0].at("severity"), "warning");
  EXPECT_EQ(sent[0].at("name"), "cpu_usage_percent");
  EXPECT_EQ(sent[0].at("subject"), "api-1");
  EXPECT_EQ(sent[0].at("category"), "PERFORMANCE");
  EXPECT_EQ(sent[0].at("value").to_number<double>(), 85);
  EXPECT_EQ(sent[0].at("threshold").to_number<double>(), 80);
  EXPECT_EQ(hook.requests()[0].target(), "/hooks/pend");
  EXPECT_EQ(hook.requests()[0][boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE alert_sent"), "1")
      << "the row that opened the incident";

  for (const double value : {88.0, 90.0}) {
    f.cpu(value);
    f.run(alerting);
  }
  EXPECT_EQ(messages(hook).size(), 1u) << "nothing more while the incident lasts";

  f.cpu(60);
  EXPECT_EQ(f.run(alerting).at("resolved"), 1);
  sent = messages(hook);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].at("status"), "resolved");
  EXPECT_EQ(sent[1].at("alert"), sent[0].at("alert"));
  EXPECT_TRUE(sent[1].contains("resolved_at"));
  f.run(alerting);
  EXPECT_EQ(messages(hook).size(), 2u) << "one resolution";

  f.cpu(86);  // flapping: back over within the cooldown
  EXPECT_EQ(f.run(alerting).at("opened"), 1);
  f.cpu(60);
  f.run(alerting);
  EXPECT_EQ(messages(hook).size(), 2u) << "the cooldown keeps the second incident silent";

  f.cpu(97);  // the critical level is an alert of its own, never messaged before
  f.run(alerting);
  sent = messages(hook);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2].at("severity"), "critical");
  EXPECT_EQ(database.value("SELECT count(*) FROM alerts WHERE firing"), "2")
      << "warning (silent, in its cooldown) and critical";
}

TEST(AlertingTest, AnIncidentOpenedInItsCooldownIsMessagedOnceTheCooldownIsOver) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  HttpRecorder hook(taken);
  Alerting alerting(hour_cooldown(hook.url()));
  AlertingFixture f(database);
  f.cpu(85);
  f.run(alerting);
  f.cpu(60);
  f.run(alerting);
  ASSERT_EQ(messages(hook).size(), 2u) << "firing, resolved";
  f.cpu(86);  // back within the cooldown: silent for now
  f.run(alerting);
  f.cpu(87);
  f.run(alerting);
  EXPECT_EQ(messages(hook).size(), 2u);
  // The cooldown passes (the last message an hour and more ago) while it still fires.
  f.session.exec("UPDATE alerts SET last_message_at = last_message_at - interval '61 minutes'");
  f.cpu(88);
  f.run(alerting);
  auto sent = messages(hook);
  ASSERT_EQ(sent.size(), 3u) << "a long incident is never mute";
  EXPECT_EQ(sent[2].at("status"), "firing");
  EXPECT_EQ(sent[2].at("value").to_number<double>(), 88);
  f.cpu(88);
  f.run(alerting);
  EXPECT_EQ(messages(hook).size(), 3u) << "once";
  f.cpu(60);
  f.run(alerting);
  sent = messages(hook);
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[3].at("status"), "resolved");
}

TEST(AlertingTest, AFailingWebhookIsRetriedUntilItTakesTheMessageOnce) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  HttpRecorder hook([](const RecordedRequest&, std::size_t n) {
    return std::pair<unsigned, std::string>{n < 4 ? 503 : 200, "{}"};
  });
  Alerting alerting(AlertingOptions{.instance = "alerting-test",
                                    .webhook_url = hook.url(),
                                    .webhook_timeout = 2s,
                                    .webhook_attempts = 2});
  AlertingFixture f(database);
  f.cpu(99);
  auto report = f.run(alerting);  // warning and critical: each tried twice, all refused
  EXPECT_EQ(report.at("messages_failed"), 2);
  EXPECT_EQ(hook.requests().size(), 4u);
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE alert_sent"), "0");
  EXPECT_EQ(database.value("SELECT sum(attempts) FROM alerts"), "2");
  report = f.run(alerting);  // the next evaluation tries again, and the webhook takes both
  EXPECT_EQ(report.at("messages_sent"), 2);
  f.run(alerting);
  EXPECT_EQ(hook.requests().size(), 6u) << "each message delivered once, then nothing";
  EXPECT_EQ(database.value("SELECT count(*) FROM alerts WHERE firing_sent_at IS NOT NULL"), "2");
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE alert_sent"), "1");
}

TEST(AlertingTest, RulesOverApiMetricsAndSecurityEvents) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  HttpRecorder hook(taken);
  std::string error;
  Alerting alerting(AlertingOptions{
      .instance = "alerting-test",
      .webhook_url = hook.url(),
      .rules = {
          *config::parse_alert_rule("errors error_rate * 5m warn=0.05 crit=0.2 min=10", &error),
          *config::parse_alert_rule("slow p95 /api/v1/config 5m warn=500 crit=2000", &error),
          *config::parse_alert_rule("intrusion security_events high 15m warn=2 crit=10", &error)}});
  AlertingFixture f(database);
  // /api/v1/kyc: 20 requests, 6 of them 5xx (30%); /api/v1/config: fast and fine, 12 requests;
  // /api/v1/rare: 3 requests, all failing, but under min=10.
  f.session.exec(
      "INSERT INTO api_metrics (endpoint, method, response_time_ms, status_code) "
      "SELECT '/api/v1/kyc', 'POST', 40, CASE WHEN i <= 6 THEN 503 ELSE 200 END "
      "FROM generate_series(1, 20) i UNION ALL "
      "SELECT '/api/v1/config', 'GET', 3, 200 FROM generate_series(1, 12) UNION ALL "
      "SELECT '/api/v1/rare', 'GET', 3, 500 FROM generate_series(1, 3)");
  f.session.exec(
      "INSERT INTO security_events (event_type, severity) "
      "VALUES ('failed_login', 'high'), ('rate_limit_exceeded', 'critical'), "
      "('rate_limit_exceeded', 'low')");
  const auto report = f.run(alerting);
  EXPECT_EQ(report.at("opened"), 3) << "kyc warning and critical, intrusion warning";
  std::set<std::string> alerts;
  for (const auto& message : messages(hook)) {
    alerts.insert(std::string{message.at("alert").as_string()} + " " +
                  std::string{message.at("category").as_string()});
  }
  EXPECT_EQ(alerts, (std::set<std::string>{"rule:errors:/api/v1/kyc:critical PERFORMANCE",
                                           "rule:errors:/api/v1/kyc:warning PERFORMANCE",
                                           "rule:intrusion:all:warning SECURITY"}));
  EXPECT_EQ(database.value("SELECT count(*) FROM system_metrics WHERE metric_type = 'alert_rule' "
                           "AND metric_name = 'errors'"),
            "2")
      << "each rule's evaluation is a system_metrics row: kyc and config, not the rare route";
  EXPECT_EQ(database.value("SELECT value::text FROM system_metrics WHERE metric_name = 'errors' "
                           "AND metadata->>'subject' = '/api/v1/kyc'"),
            "0.300000");
}

}  // namespace
}  // namespace pend::test
