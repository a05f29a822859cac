#include "workers/alerting.hpp"

#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "metrics/prometheus_writer.hpp"
#include "util/json.hpp"

#include <set>

namespace pend::workers {

namespace {

std::string seconds_text(std::chrono::milliseconds duration) {
  return std::to_string(std::max<std::int64_t>(1, duration.count() / 1000));
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// The rule's rows: subject, value, requests counted.
constexpr const char* kErrorRate =
    "SELECT endpoint, count(*) FILTER (WHERE status_code >= 500)::float8 / count(*), count(*) "
    "FROM api_metrics WHERE timestamp > now() - make_interval(secs => $1::int) "
    "AND ($2 = '*' OR endpoint = $2) GROUP BY endpoint HAVING count(*) >= $3::int";
constexpr const char* kP95 =
    "SELECT endpoint, percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms), count(*) "
    "FROM api_metrics WHERE timestamp > now() - make_interval(secs => $1::int) "
    "AND ($2 = '*' OR endpoint = $2) GROUP BY endpoint HAVING count(*) >= $3::int";
constexpr const char* kSecurityEvents =
    "SELECT 'all', count(*)::float8, count(*) FROM security_events "
    "WHERE timestamp > now() - make_interval(secs => $1::int) AND severity = ANY("
    "(ARRAY['low', 'medium', 'high', 'critical'])[array_position(ARRAY['low', 'medium', "
    "'high', 'critical'], $2):]) HAVING count(*) >= $3::int";

}  // namespace

std::string alert_key(const Evaluation& e, std::string_view severity) {
  std::string key = e.source + ":" + e.name + ":" + e.subject;
  if (key.size() > 180) key.resize(180);
  key += ':';
  key += severity;
  return key;
}

Alerting::Alerting(AlertingOptions options)
    : options_(std::move(options)),
      spec_{.name = "alerting",
            .scope = Scope::cluster,
            .interval = options_.interval,
            .jitter = std::chrono::milliseconds{0},
            .deadline = std::max(std::chrono::milliseconds{30'000}, options_.interval)} {}

std::vector<Evaluation> Alerting::thresholds(db::BlockingSession& session) {
  // The latest row of every instance's metric (per path for disks), when it has levels.
  const auto rows = session.exec(
      "SELECT DISTINCT ON (server_instance, metric_name, metadata->>'path') id, timestamp, "
      "server_instance, metric_name, value::float8, threshold_warning::float8, "
      "threshold_critical::float8, coalesce((metadata->>'threshold_below')::bool, false), "
      "coalesce(metadata->>'path', '') FROM system_metrics "
      "WHERE timestamp > now() - make_interval(secs => $1::int) AND metric_type <> 'alert_rule' "
      "AND threshold_warning IS NOT NULL AND threshold_critical IS NOT NULL "
      "ORDER BY server_instance, metric_name, metadata->>'path', timestamp DESC",
      {seconds_text(options_.stale_after)});
  std::vector<Evaluation> out;
  for (int i = 0; i < rows.size(); ++i) {
    Evaluation e;
    e.source = "threshold";
    e.metric_id = rows.value(i, 0);
    e.metric_timestamp = rows.value(i, 1);
    e.subject = rows.value(i, 2);
    if (const auto path = rows.value(i, 8); !path.empty()) e.subject += " " + path;
    e.name = rows.value(i, 3);
    e.category = "PERFORMANCE";
    e.value = std::stod(rows.value(i, 4));
    e.warning = std::stod(rows.value(i, 5));
    e.critical = std::stod(rows.value(i, 6));
    e.below = rows.value(i, 7) == "t";
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Evaluation> Alerting::rules(db::BlockingSession& session) {
  std::vector<Evaluation> out;
  for (const auto& rule : options_.rules) {
    const char* sql = rule.kind == config::AlertRule::Kind::error_rate ? kErrorRate
                      : rule.kind == config::AlertRule::Kind::p95      ? kP95
                                                                       : kSecurityEvents;
    const auto rows = session.exec(
        sql, {std::to_string(rule.window.count()), rule.target, std::to_string(rule.min)});
    for (int i = 0; i < rows.size(); ++i) {
      Evaluation e;
      e.source = "rule";
      e.name = rule.name;
      e.subject = rows.value(i, 0);
      e.category =
          rule.kind == config::AlertRule::Kind::security_events ? "SECURITY" : "PERFORMANCE";
      e.value = rows.value(i, 1).empty() ? 0 : std::stod(rows.value(i, 1));
      e.warning = rule.warning;
      e.critical = rule.critical;
      // The evaluation is a system_metrics row like any other figure, and carries alert_sent.
      const auto recorded = session.exec(
          "INSERT INTO system_metrics (server_instance, metric_type, metric_name, value, unit, "
          "threshold_warning, threshold_critical, metadata) VALUES ($1, 'alert_rule', $2, "
          "round($3::numeric, 6), $4, $5, $6, jsonb_build_object('subject', $7::text, "
          "'kind', $8::text, 'counted', $9::bigint)) RETURNING id, timestamp",
          {options_.instance, rule.name, number_text(e.value),
           rule.kind == config::AlertRule::Kind::p95          ? "ms"
           : rule.kind == config::AlertRule::Kind::error_rate ? "ratio"
                                                              : "events",
           number_text(rule.warning), number_text(rule.critical), e.subject,
           std::string{config::to_string(rule.kind)}, rows.value(i, 2)});
      e.metric_id = recorded.value(0, 0);
      e.metric_timestamp = recorded.value(0, 1);
      out.push_back(std::move(e));
    }
  }
  return out;
}

int Alerting::apply(db::BlockingSession& session, const Evaluation& e, std::string_view severity,
                    bool crossed) {
  const std::string key = alert_key(e, severity);
  const double level = severity == "critical" ? e.critical : e.warning;
  const auto current = session.exec("SELECT firing FROM alerts WHERE key = $1", {key});
  const bool firing = current.size() == 1 && current.value(0, 0) == "t";
  if (crossed && firing) {
    // Still firing. An incident that opened silently (a message for the key within the
    // cooldown) gets its message once the cooldown is over: a long incident is never mute.
    session.exec(
        "UPDATE alerts SET value = $2, notify = notify OR last_message_at IS NULL OR "
        "last_message_at <= now() - make_interval(secs => $3::float8) WHERE key = $1",
        {key, number_text(e.value),
         number_text(std::chrono::duration<double>(options_.cooldown).count())});
    return 0;
  }
  if (!crossed && !firing) return 0;
  logging::Entry entry;
  entry.category = e.category;
  const boost::json::value details = {{"alert", key},         {"name", e.name},
                                      {"subject", e.subject}, {"severity", severity},
                                      {"value", e.value},     {"threshold", level}};
  entry.metadata = &details;
  if (crossed) {
    // A new incident; silent when the key had a message within the cooldown.
    session.exec(
        "INSERT INTO alerts (key, source, name, subject, severity, category, firing, value, "
        "threshold, opened_at, notify, metric_id, metric_timestamp) VALUES ($1, $2, $3, $4, $5, "
        "$6, true, $7, $8, now(), true, $9, $10) "
        "ON CONFLICT (key) DO UPDATE SET firing = true, value = excluded.value, "
        "threshold = excluded.threshold, opened_at = now(), resolved_at = NULL, "
        "notify = alerts.last_message_at IS NULL OR "
        "alerts.last_message_at <= now() - make_interval(secs => $11::float8), "
        "firing_sent_at = NULL, resolved_sent_at = NULL, attempts = 0, last_error = NULL, "
        "metric_id = excluded.metric_id, metric_timestamp = excluded.metric_timestamp",
        {key, e.source, e.name, e.subject, std::string{severity}, e.category, number_text(e.value),
         number_text(level), e.metric_id, e.metric_timestamp,
         number_text(std::chrono::duration<double>(options_.cooldown).count())});
    entry.level = logging::Level::warn;
    entry.event_type = "ALERT_FIRING";
    const std::string message = e.name + " on " + e.subject + " is " + number_text(e.value) + " (" +
                                std::string{severity} + " at " + number_text(level) + ")";
    entry.message = message;
    if (logging::Logger* logger = logging::global()) logger->log(entry);
    return 1;
  }
  session.exec("UPDATE alerts SET firing = false, resolved_at = now(), value = $2 WHERE key = $1",
               {key, number_text(e.value)});
  entry.level = logging::Level::info;
  entry.event_type = "ALERT_RESOLVED";
  const std::string message =
      e.name + " on " + e.subject + " is back under its " + std::string{severity} + " level";
  entry.message = message;
  if (logging::Logger* logger = logging::global()) logger->log(entry);
  return -1;
}

std::pair<std::int64_t, std::int64_t> Alerting::deliver(RunContext& ctx) {
  auto& session = ctx.session();
  const auto pending = session.exec(
      "SELECT key, name, subject, severity, category, firing, value, threshold, "
      "to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
      "coalesce(to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), ''), "
      "coalesce(metric_id::text, ''), coalesce(metric_timestamp::text, '') FROM alerts "
      "WHERE notify AND ((firing AND firing_sent_at IS NULL) OR "
      "(NOT firing AND firing_sent_at IS NOT NULL AND resolved_sent_at IS NULL)) ORDER BY "
      "attempts, opened_at");  // tried least first: one that keeps failing never blocks the rest
  std::int64_t sent = 0, failed = 0;
  for (int i = 0; i < pending.size(); ++i) {
    ctx.check();  // a run past its deadline leaves the rest for the next one
    const std::string key = pending.value(i, 0);
    const bool firing = pending.value(i, 5) == "t";
    bool delivered = true;
    std::string error;
    if (!options_.webhook_url.empty()) {
      boost::json::object body{{"status", firing ? "firing" : "resolved"},
                               {"alert", key},
                               {"id", key + "@" + pending.value(i, 8)},
                               {"name", pending.value(i, 1)},
                               {"subject", pending.value(i, 2)},
                               {"severity", pending.value(i, 3)},
                               {"category", pending.value(i, 4)},
                               {"value", std::stod(pending.value(i, 6))},
                               {"threshold", std::stod(pending.value(i, 7))},
                               {"opened_at", pending.value(i, 8)},
                               {"service", "pend-server"},
                               {"environment", options_.environment},
                               {"sent_by", options_.instance}};
      if (!firing) body["resolved_at"] = pending.value(i, 9);
      body["summary"] = pending.value(i, 1) + " on " + pending.value(i, 2) +
                        (firing ? " crossed its " + pending.value(i, 3) + " level"
                                : " is back under its " + pending.value(i, 3) + " level");
      const external::HttpRequest request{.method = "POST",
                                          .url = options_.webhook_url,
                                          .body = util::json::serialize(body),
                                          .content_type = "application/json"};
      delivered = false;
      for (unsigned attempt = 0; attempt < options_.webhook_attempts && !delivered; ++attempt) {
        if (attempt > 0) ctx.pause(std::chrono::milliseconds(250) * (1 << std::min(attempt, 6u)));
        const auto response = client_.send(request, ctx.bounded(options_.webhook_timeout));
        delivered = response.ok();
        if (!delivered) {
          error = response.status != 0 ? "HTTP " + std::to_string(response.status) : response.error;
        }
      }
    }
    if (delivered) {
      session.exec(firing ? "UPDATE alerts SET firing_sent_at = now(), last_message_at = now(), "
                            "attempts = 0, last_error = NULL WHERE key = $1"
                          : "UPDATE alerts SET resolved_sent_at = now(), last_message_at = now(), "
                            "attempts = 0, last_error = NULL WHERE key = $1",
                   {key});
      if (firing && !pending.value(i, 10).empty()) {
        session.exec("UPDATE system_metrics SET alert_sent = true WHERE id = $1 AND timestamp = $2",
                     {pending.value(i, 10), pending.value(i, 11)});
      }
      ++sent;
    } else {
      session.exec("UPDATE alerts SET attempts = attempts + 1, last_error = $2 WHERE key = $1",
                   {key, error});
      logging::warn("GENERAL", "ALERT_NOT_DELIVERED", "the alert webhook did not take a message",
                    {{"alert", key}, {"error", error}});
      ++failed;
    }
  }
  return {sent, failed};
}

RunReport Alerting::run(RunContext& ctx) {
  auto& session = ctx.session();
  std::vector<Evaluation> evaluations = thresholds(session);
  ctx.check();
  for (auto& e : rules(session)) evaluations.push_back(std::move(e));
  ctx.check();
  std::int64_t opened = 0, resolved = 0;
  std::set<std::string> seen;
  for (const auto& e : evaluations) {
    config::Threshold levels{e.name, e.warning, e.critical, e.below};
    const int severity = levels.severity_of(e.value);
    for (const auto level : {std::string_view{"warning"}, std::string_view{"critical"}}) {
      const int change = apply(session, e, level, severity >= (level == "warning" ? 1 : 2));
      opened += change > 0 ? 1 : 0;
      resolved += change < 0 ? 1 : 0;
      seen.insert(alert_key(e, level));
    }
  }
  // Firing keys nobody evaluated this time (an instance stopped reporting, a route went
  // quiet): nothing says they are still bad, so they resolve.
  const auto open = session.exec("SELECT key, name, subject, category FROM alerts WHERE firing");
  for (int i = 0; i < open.size(); ++i) {
    if (seen.contains(open.value(i, 0))) continue;
    session.exec("UPDATE alerts SET firing = false, resolved_at = now() WHERE key = $1",
                 {open.value(i, 0)});
    logging::info("GENERAL", "ALERT_RESOLVED", "no current value: resolved",
                  {{"alert", open.value(i, 0)}, {"subject", open.value(i, 2)}});
    ++resolved;
  }
  const auto [sent, failed] = deliver(ctx);
  firing_ = std::stoll(session.exec("SELECT count(*) FROM alerts WHERE firing").value(0, 0));
  return {{"evaluated", static_cast<std::int64_t>(evaluations.size())},
          {"opened", opened},
          {"resolved", resolved},
          {"messages_sent", sent},
          {"messages_failed", failed}};
}

void Alerting::collect(metrics::PrometheusWriter& out) const {
  const auto firing = firing_.load();
  if (firing < 0) return;  // not the instance that evaluates alerts (or not yet)
  out.family("pend_alerts_firing", "gauge",
             "Alerts firing at the last evaluation (reported by the instance that evaluates).");
  out.sample("pend_alerts_firing", {}, firing);
}

}  // namespace pend::workers
