#include "app/workers.hpp"

#include "config/kyc.hpp"
#include "security/secret_box.hpp"
#include "workers/alerting.hpp"
#include "workers/audit_checkpoints.hpp"
#include "workers/cleanup.hpp"
#include "workers/metrics_collector.hpp"

namespace pend::app {

namespace {

std::optional<config::RedisEndpoint> redis_of(const config::Settings& settings) {
  return config::parse_redis_url(settings.redis.url);
}

std::unique_ptr<workers::Worker> make_metrics_collector(const config::Settings& settings) {
  workers::MetricsCollectorOptions options{.instance = settings.server.instance_name,
                                           .interval = settings.metrics.collect_interval,
                                           .log_dir = settings.log.dir,
                                           .upload_dir = settings.storage.upload_dir,
                                           .redis = redis_of(settings),
                                           .redis_timeout = settings.redis.command_timeout * 2};
  for (const auto& text : settings.metrics.thresholds) {
    if (auto threshold = config::parse_threshold(text, nullptr)) {
      options.thresholds.push_back(std::move(*threshold));
    }
  }
  return std::make_unique<workers::MetricsCollector>(std::move(options));
}

std::unique_ptr<workers::Worker> make_alerting(const config::Settings& settings) {
  workers::AlertingOptions options{
      .instance = settings.server.instance_name,
      .environment = std::string{config::to_string(settings.environment)},
      .interval = settings.alerting.interval,
      .cooldown = settings.alerting.cooldown,
      .webhook_url = settings.alerting.webhook_url,
      .webhook_timeout = settings.alerting.webhook_timeout,
      .webhook_attempts = settings.alerting.webhook_attempts,
      .stale_after =
          std::max(std::chrono::milliseconds{60'000}, settings.metrics.collect_interval * 3)};
  for (const auto& text : settings.alerting.rules) {
    if (auto rule = config::parse_alert_rule(text, nullptr))
      options.rules.push_back(std::move(*rule));
  }
  return std::make_unique<workers::Alerting>(std::move(options));
}

std::unique_ptr<workers::Worker> make_cleanup(const config::Settings& settings) {
  return std::make_unique<workers::Cleanup>(
      workers::CleanupOptions{.database = settings.database,
                              .cleanup = settings.cleanup,
                              .redis = redis_of(settings),
                              .upload_dir = settings.storage.upload_dir,
                              .storage_keys = config::storage_keys(settings.storage),
                              .kyc_retention_days = settings.kyc.retention_days,
                              .log_dir = settings.log.dir,
                              .redis_timeout = settings.redis.command_timeout * 2});
}

std::unique_ptr<workers::Worker> make_audit_checkpoints(const config::Settings& settings) {
  return std::make_unique<workers::AuditCheckpoints>(workers::AuditCheckpointOptions{
      .signing_seed = security::key_from_hex(settings.admin.signing_key_hex()).value(),
      .policy = {.every_rows = settings.admin.audit_checkpoint_rows,
                 .every = settings.admin.audit_checkpoint_interval}});
}

}  // namespace

const std::vector<WorkerEntry>& worker_table() {
  static const std::vector<WorkerEntry> table = {
      {"metrics-collector", "this host's and process's figures into system_metrics (per instance)",
       &make_metrics_collector},
      {"alerting", "thresholds and rules over the metrics, the alert webhook (one per cluster)",
       &make_alerting},
      {"cleanup", "partitions, retention, temporary files, dead letters (one per cluster)",
       &make_cleanup},
      {"audit-checkpoints", "signed checkpoints of the admin audit chain (one per cluster)",
       &make_audit_checkpoints},
  };
  return table;
}

std::vector<std::string_view> worker_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : worker_table()) names.push_back(entry.name);
  return names;
}

std::unique_ptr<workers::WorkerRunner> make_runner(const std::vector<std::string>& names,
                                                   const config::Settings& settings,
                                                   workers::Alerting** alerting) {
  auto runner = std::make_unique<workers::WorkerRunner>(
      workers::RunnerOptions{.database_url = settings.database.url,
                             .instance = settings.server.instance_name,
                             .takeover = settings.workers.takeover});
  for (const auto& name : names) {
    for (const auto& entry : worker_table()) {
      if (entry.name != name) continue;
      auto worker = entry.make(settings);
      if (alerting != nullptr && name == "alerting") {
        *alerting = static_cast<workers::Alerting*>(worker.get());
      }
      runner->add(std::move(worker));
    }
  }
  return runner;
}

}  // namespace pend::app
