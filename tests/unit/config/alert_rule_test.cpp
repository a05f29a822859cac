// The one-line forms of metrics.thresholds and alerting.rules: what they accept, what each
// part means, and the messages that say what is wrong.
#include "config/alert_rule.hpp"

#include <gtest/gtest.h>

namespace pend::config {
namespace {

TEST(ThresholdTest, LevelsAndDirection) {
  std::string error;
  const auto cpu = parse_threshold("cpu_usage_percent warn=80 crit=95", &error);
  ASSERT_TRUE(cpu) << error;
  EXPECT_EQ(cpu->metric, "cpu_usage_percent");
  EXPECT_EQ(cpu->severity_of(79.9), 0);
  EXPECT_EQ(cpu->severity_of(80), 1);
  EXPECT_EQ(cpu->severity_of(95.5), 2);
  const auto hits = parse_threshold("db_cache_hit_percent warn=95 crit=90 below", &error);
  ASSERT_TRUE(hits) << error;
  EXPECT_TRUE(hits->below);
  EXPECT_EQ(hits->severity_of(99), 0);
  EXPECT_EQ(hits->severity_of(94), 1);
  EXPECT_EQ(hits->severity_of(90), 2);
}

TEST(ThresholdTest, SaysWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(parse_threshold("cpu warn=80", &error));
  EXPECT_NE(error.find("too few words"), std::string::npos) << error;
  EXPECT_FALSE(parse_threshold("cpu warn=95 crit=80", &error));
  EXPECT_NE(error.find("crit must not be below warn"), std::string::npos) << error;
  EXPECT_FALSE(parse_threshold("cpu warn=90 crit=95 below", &error));
  EXPECT_NE(error.find("with 'below'"), std::string::npos) << error;
  EXPECT_FALSE(parse_threshold("CPU warn=1 crit=2", &error));
  EXPECT_NE(error.find("NAME must be"), std::string::npos) << error;
  EXPECT_FALSE(parse_threshold("cpu warn=x crit=2", &error));
  EXPECT_FALSE(parse_threshold("cpu warn=1 crit=2 above", &error));
  EXPECT_NE(error.find("expected NAME warn=X crit=Y"), std::string::npos) << error;
}

TEST(AlertRuleTest, EachKindAndItsParts) {
  std::string error;
  const auto errors =
      parse_alert_rule("api-errors error_rate * 5m warn=0.05 crit=0.2 min=20", &error);
  ASSERT_TRUE(errors) << error;
  EXPECT_EQ(errors->kind, AlertRule::Kind::error_rate);
  EXPECT_EQ(errors->target, "*");
  EXPECT_EQ(errors->window, std::chrono::minutes(5));
  EXPECT_DOUBLE_EQ(errors->warning, 0.05);
  EXPECT_DOUBLE_EQ(errors->critical, 0.2);
  EXPECT_EQ(errors->min, 20u);
  const auto latency = parse_alert_rule("slow p95 /api/v1/config 30s warn=500 crit=2000", &error);
  ASSERT_TRUE(latency) << error;
  EXPECT_EQ(latency->target, "/api/v1/config");
  EXPECT_EQ(latency->min, 1u) << "the default";
  const auto security = parse_alert_rule("sec security_events high 1h warn=10 crit=50", &error);
  ASSERT_TRUE(security) << error;
  EXPECT_EQ(security->kind, AlertRule::Kind::security_events);
  EXPECT_EQ(security->window, std::chrono::hours(1));
}

TEST(AlertRuleTest, SaysWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(parse_alert_rule("a p99 * 5m warn=1 crit=2", &error));
  EXPECT_NE(error.find("KIND must be"), std::string::npos) << error;
  EXPECT_FALSE(parse_alert_rule("a p95 api/v1 5m warn=1 crit=2", &error));
  EXPECT_NE(error.find("TARGET must be"), std::string::npos) << error;
  EXPECT_FALSE(parse_alert_rule("a security_events severe 5m warn=1 crit=2", &error));
  EXPECT_NE(error.find("must be a severity"), std::string::npos) << error;
  EXPECT_FALSE(parse_alert_rule("a p95 * 2d warn=1 crit=2", &error));
  EXPECT_NE(error.find("WINDOW"), std::string::npos) << error;
  EXPECT_FALSE(parse_alert_rule("a p95 * 5m warn=1 crit=2 min=0", &error));
  EXPECT_NE(error.find("min must be"), std::string::npos) << error;
  EXPECT_FALSE(parse_alert_rule("a p95 * 5m warn=3 crit=2", &error));
  EXPECT_FALSE(parse_alert_rule("a p95 * 5m warn=1 crit=2 min=1 extra", &error));
  EXPECT_NE(error.find("too many words"), std::string::npos) << error;
}

}  // namespace
}  // namespace pend::config
