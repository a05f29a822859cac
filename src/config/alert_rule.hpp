// The alerting configuration's two one-line forms.
//
// metrics.thresholds: "NAME warn=X crit=Y [below]", the warning and critical levels the
// metrics-collector writes on each system_metrics row of metric NAME; "below" for metrics
// that are bad when low (a cache hit ratio):
//
//   "cpu_usage_percent warn=80 crit=95"       "db_cache_hit_percent warn=95 crit=90 below"
//
// alerting.rules: "NAME KIND TARGET WINDOW warn=X crit=Y [min=N]", evaluated every
// alerting.interval over the last WINDOW:
//
//   "api-errors error_rate * 5m warn=0.05 crit=0.2 min=20"   share of 5xx per route (* every
//                                                            route, or one route template)
//   "api-latency p95 /api/v1/config 5m warn=500 crit=2000"   95th percentile response ms
//   "security security_events high 15m warn=10 crit=50"      security events of that
//                                                            severity or worse
//
// min: fewer requests than this in the window (a quiet route) and the rule says nothing.
#pragma once

#include <boost/describe/enum.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::config {

struct Threshold {
  std::string metric;
  double warning = 0;
  double critical = 0;
  bool below = false;  // bad when the value is under the levels, not over

  // 0 fine, 1 warning, 2 critical.
  int severity_of(double value) const;
};

std::optional<Threshold> parse_threshold(std::string_view text, std::string* error);

struct AlertRule {
  enum class Kind : std::uint8_t { error_rate, p95, security_events };
  BOOST_DESCRIBE_NESTED_ENUM(Kind, error_rate, p95, security_events)
  std::string name;
  Kind kind = Kind::error_rate;
  std::string target;  // a route template or * (error_rate, p95); a severity (security_events)
  std::chrono::seconds window{0};
  double warning = 0;
  double critical = 0;
  std::uint32_t min = 1;  // requests in the window below which the rule stays quiet
};

std::string_view to_string(AlertRule::Kind kind);
std::optional<AlertRule> parse_alert_rule(std::string_view text, std::string* error);

}  // namespace pend::config
