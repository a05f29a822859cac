// The alerting worker (cluster-wide, every alerting.interval): compares the latest
// system_metrics of every instance with their warning and critical levels, evaluates
// alerting.rules over api_metrics and security_events (each evaluation a system_metrics row
// of type alert_rule), and raises an alert for each level crossed.
//
// An alert is a key (what, where, which level): a threshold on one instance's metric, or a
// rule on one route. Crossing opens an incident: a log entry (warn, category PERFORMANCE, or
// SECURITY for security rules) and one JSON POST to ALERT_WEBHOOK_URL, retried
// (alerting.webhook_attempts per evaluation, then again at the next) until delivered; going
// back under the level resolves it: an info entry and one resolution message. Staying over
// the level sends nothing more. A key that had a message less than alerting.cooldown ago
// opens its next incident silently (flapping is one message, not one a minute). The state
// lives in the alerts table, so it holds across restarts and a change of leader; the
// system_metrics row that opened an incident gets alert_sent once the message is out.
#pragma once

#include "config/alert_rule.hpp"
#include "external/http_client.hpp"
#include "workers/worker.hpp"

#include <atomic>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::workers {

struct AlertingOptions {
  std::string instance = "local";
  std::string environment = "development";
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds cooldown{900'000};
  std::string webhook_url;  // secret; empty: alerts are logged only
  std::chrono::milliseconds webhook_timeout{5'000};
  unsigned webhook_attempts = 3;
  std::vector<config::AlertRule> rules;
  // system_metrics older than this are not current: an instance that stopped reporting has
  // no threshold alerts (its open ones resolve).
  std::chrono::milliseconds stale_after{60'000};
};

// One value compared with its levels.
struct Evaluation {
  std::string source;    // threshold or rule
  std::string name;      // the metric or the rule
  std::string subject;   // the instance (and path), or the route
  std::string category;  // PERFORMANCE or SECURITY
  double value = 0;
  double warning = 0;
  double critical = 0;
  bool below = false;
  std::string metric_id, metric_timestamp;  // the system_metrics row evaluated
};

class Alerting final : public Worker {
 public:
  explicit Alerting(AlertingOptions options);
  const WorkerSpec& spec() const override { return spec_; }
  RunReport run(RunContext& ctx) override;
  void collect(metrics::PrometheusWriter& out) const override;  // pend_alerts_firing

 private:
  std::vector<Evaluation> thresholds(db::BlockingSession& session);
  std::vector<Evaluation> rules(db::BlockingSession& session);
  // Opens, keeps or resolves the key's incident; returns +1 opened, -1 resolved, 0 neither.
  int apply(db::BlockingSession& session, const Evaluation& e, std::string_view severity,
            bool crossed);
  // Sends what is pending; returns {sent, failed}.
  std::pair<std::int64_t, std::int64_t> deliver(RunContext& ctx);

  AlertingOptions options_;
  WorkerSpec spec_;
  external::HttpClient client_;
  std::atomic<std::int64_t> firing_{-1};
};

// "threshold:cpu_usage_percent:api-1:critical": what an alert is known by.
std::string alert_key(const Evaluation& e, std::string_view severity);

}  // namespace pend::workers
