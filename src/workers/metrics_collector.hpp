// The metrics-collector worker (one per instance: it measures its own host, every
// metrics.collect_interval): a system_metrics row per figure, each with its unit and the
// warning and critical levels of metrics.thresholds, which the alerting worker compares.
//
//   type      figures
//   cpu       cpu_usage_percent (since the last run), load_average_1m
//   memory    memory_used_percent, memory_available_mb
//   disk      disk_used_percent, disk_free_gb, for LOG_DIR's and UPLOAD_DIR's filesystems
//             (metadata.path)
//   network   network_receive/transmit_bytes_per_second (every interface but lo)
//   process   process_memory_mb, process_cpu_percent, process_open_fds,
//             process_open_fds_percent, process_threads
//   database  db_connections (metadata.state), db_connections_used_percent, db_size_mb,
//             db_cache_hit_percent, db_longest_transaction_seconds, and
//             db_replication_lag_seconds when replicas stream from it (or it is one)
//   redis     redis_used_memory_mb, redis_memory_used_percent (with a maxmemory),
//             redis_connected_clients, redis_evicted_keys_per_second
#pragma once

#include "config/alert_rule.hpp"
#include "config/redis_endpoint.hpp"
#include "metrics/host_figures.hpp"
#include "workers/worker.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <vector>

namespace pend::workers {

struct MetricsCollectorOptions {
  std::string instance = "local";
  std::chrono::milliseconds interval{15'000};
  std::vector<config::Threshold> thresholds;
  std::filesystem::path log_dir;
  std::filesystem::path upload_dir;
  std::optional<config::RedisEndpoint> redis;  // none: no Redis figures
  std::chrono::milliseconds redis_timeout{2'000};
};

struct Figure {
  std::string type;  // cpu, memory, disk, network, process, database, redis
  std::string name;
  double value = 0;
  std::string unit;
  boost::json::object metadata;
};

class MetricsCollector final : public Worker {
 public:
  explicit MetricsCollector(MetricsCollectorOptions options);
  const WorkerSpec& spec() const override { return spec_; }
  RunReport run(RunContext& ctx) override;

  // One measurement (also what run() writes); a figure that cannot be read is left out.
  std::vector<Figure> measure(db::BlockingSession& session);

 private:
  void host(std::vector<Figure>& out);
  void database(db::BlockingSession& session, std::vector<Figure>& out);
  void redis(std::vector<Figure>& out);

  MetricsCollectorOptions options_;
  WorkerSpec spec_;
  std::map<std::string, config::Threshold> thresholds_;
  // The previous run's counters, for rates.
  std::optional<metrics::CpuTimes> cpu_;
  std::optional<metrics::ProcessFigures> process_;
  std::optional<metrics::NetworkBytes> network_;
  std::optional<std::int64_t> evicted_;
  std::chrono::steady_clock::time_point evicted_at_{};
  std::chrono::steady_clock::time_point sampled_{};
};

}  // namespace pend::workers
