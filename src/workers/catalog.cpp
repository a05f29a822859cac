#include "workers/catalog.hpp"

#include "workers/alerting.hpp"
#include "workers/cleanup.hpp"
#include "workers/metrics_collector.hpp"

namespace pend::workers {

namespace {

std::optional<cache::RedisEndpoint> redis_of(const config::Settings& settings) {
  return cache::parse_redis_url(settings.redis.url);
}

}  // namespace

std::unique_ptr<Worker> make_worker(std::string_view name, const config::Settings& settings) {
  if (name == "metrics-collector") {
    MetricsCollectorOptions options{.instance = settings.server.instance_name,
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
    return std::make_unique<MetricsCollector>(std::move(options));
  }
  if (name == "alerting") {
    AlertingOptions options{.instance = settings.server.instance_name,
                            .environment = std::string{config::to_string(settings.environment)},
                            .interval = settings.alerting.interval,
                            .cooldown = settings.alerting.cooldown,
                            .webhook_url = settings.alerting.webhook_url,
                            .webhook_timeout = settings.alerting.webhook_timeout,
                            .webhook_attempts = settings.alerting.webhook_attempts,
                            .stale_after = std::max(std::chrono::milliseconds{60'000},
                                                    settings.metrics.collect_interval * 3)};
    for (const auto& text : settings.alerting.rules) {
      if (auto rule = config::parse_alert_rule(text, nullptr))
        options.rules.push_back(std::move(*rule));
    }
    return std::make_unique<Alerting>(std::move(options));
  }
  if (name == "cleanup") {
    return std::make_unique<Cleanup>(
        CleanupOptions{.database = settings.database,
                       .cleanup = settings.cleanup,
                       .redis = redis_of(settings),
                       .upload_dir = settings.storage.upload_dir,
                       .log_dir = settings.log.dir,
                       .redis_timeout = settings.redis.command_timeout * 2});
  }
  return nullptr;
}

std::unique_ptr<WorkerRunner> make_runner(const std::vector<std::string>& names,
                                          const config::Settings& settings, Alerting** alerting) {
  auto runner =
      std::make_unique<WorkerRunner>(RunnerOptions{.database_url = settings.database.url,
                                                   .instance = settings.server.instance_name,
                                                   .takeover = settings.workers.takeover});
  for (const auto& name : names) {
    auto worker = make_worker(name, settings);
    if (!worker) continue;
    if (alerting != nullptr && name == "alerting") *alerting = static_cast<Alerting*>(worker.get());
    runner->add(std::move(worker));
  }
  return runner;
}

}  // namespace pend::workers
