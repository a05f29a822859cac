#include "app/workers.hpp"

#include "chain/events.hpp"
#include "chain/indexer.hpp"
#include "config/chain.hpp"
#include "config/kyc.hpp"
#include "security/secret_box.hpp"
#include "workers/alerting.hpp"
#include "workers/audit_checkpoints.hpp"
#include "workers/cleanup.hpp"
#include "workers/metrics_collector.hpp"

#include <fstream>
#include <sstream>

namespace pend::app {

namespace {

std::optional<config::RedisEndpoint> redis_of(const config::Settings& settings) {
  return config::parse_redis_url(settings.redis.url);
}

std::unique_ptr<workers::Worker> make_metrics_collector(const config::Settings& settings,
                                                        const RunnerContext&) {
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

std::unique_ptr<workers::Worker> make_alerting(const config::Settings& settings,
                                               const RunnerContext&) {
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

std::unique_ptr<workers::Worker> make_cleanup(const config::Settings& settings,
                                              const RunnerContext&) {
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

std::unique_ptr<workers::Worker> make_audit_checkpoints(const config::Settings& settings,
                                                        const RunnerContext&) {
  return std::make_unique<workers::AuditCheckpoints>(workers::AuditCheckpointOptions{
      .signing_seed = security::key_from_hex(settings.admin.signing_key_hex()).value(),
      .policy = {.every_rows = settings.admin.audit_checkpoint_rows,
                 .every = settings.admin.audit_checkpoint_interval}});
}

chain::RpcOptions rpc_options(const config::ChainSettings& chain) {
  return {.urls = chain.rpc_urls, .timeout = chain.rpc_timeout, .attempts = chain.rpc_attempts};
}

std::unique_ptr<workers::Worker> make_indexer(const config::Settings& settings,
                                              const RunnerContext& context) {
  const auto& chain = settings.chain;
  chain::IndexerOptions options{.instance = settings.server.instance_name,
                                .rpc = rpc_options(chain),
                                .ws_url = chain.ws_url,
                                .chain_id = chain.chain_id,
                                .start_block = chain.start_block,
                                .finality_depth = chain.finality_depth,
                                .batch_size = chain.batch_size,
                                .batches_in_flight = chain.batches_in_flight,
                                .poll_interval = chain.poll_interval,
                                .redis = redis_of(settings),
                                .cache_ttl = settings.cache.short_ttl,
                                .redis_timeout = settings.redis.command_timeout * 2,
                                .progress = context.terminal};
  for (const auto& token : config::tracked_tokens(chain)) {
    // (config::tracked_tokens accepts only the three names.)
    options.tracked_tokens[token.address] = chain::token_type_from(token.type).value();
  }
  for (const auto& entry : config::contract_entries(chain)) {
    std::ifstream file(entry.abi_path);
    std::stringstream text;
    text << file.rdbuf();
    auto contract = chain::abi::Contract::from_json(text.str());
    if (!contract.value)
      throw std::runtime_error("chain.contracts: " + entry.abi_path + ": " +
                               contract.error.message);
    options.contracts.push_back(
        {.address = entry.address, .name = entry.abi_path, .abi = std::move(*contract.value)});
  }
  return std::make_unique<chain::Indexer>(std::move(options));
}

std::unique_ptr<workers::Worker> make_chain_events(const config::Settings& settings,
                                                   const RunnerContext&) {
  return std::make_unique<chain::ChainEvents>(
      chain::ChainEventsOptions{.rpc = rpc_options(settings.chain),
                                .max_attempts = settings.chain.event_attempts,
                                .redis = redis_of(settings),
                                .cache_ttl = settings.cache.short_ttl,
                                .redis_timeout = settings.redis.command_timeout * 2});
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
      {"indexer", "follows the EVM chain into PostgreSQL, reorg-safe (one per cluster)",
       &make_indexer},
      {"chain-events", "processes blockchain_events, fetches token metadata (one per cluster)",
       &make_chain_events},
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
                                                   RunnerContext context) {
  auto runner = std::make_unique<workers::WorkerRunner>(
      workers::RunnerOptions{.database_url = settings.database.url,
                             .instance = settings.server.instance_name,
                             .takeover = settings.workers.takeover});
  for (const auto& name : names) {
    for (const auto& entry : worker_table()) {
      if (entry.name != name) continue;
      runner->add(entry.make(settings, context));
    }
  }
  return runner;
}

}  // namespace pend::app
