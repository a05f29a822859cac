#include "workers/metrics_collector.hpp"

#include "cache/blocking_redis.hpp"
#include "metrics/process_metrics.hpp"
#include "util/json.hpp"

#include <sys/resource.h>

#include <thread>

namespace pend::workers {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMiB = 1024.0 * 1024.0;

// "used_memory:123\r\n" lines of INFO.
std::optional<double> info_field(std::string_view info, std::string_view key) {
  const auto at = info.find(std::string{key} + ":");
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + key.size() + 1;
  const auto end = info.find_first_of("\r\n", start);
  try {
    return std::stod(std::string{info.substr(start, end - start)});
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

MetricsCollector::MetricsCollector(MetricsCollectorOptions options)
    : options_(std::move(options)),
      spec_{.name = "metrics-collector",
            .scope = Scope::instance,
            .interval = options_.interval,
            .jitter = options_.interval / 10,
            .deadline = std::max(std::chrono::milliseconds{5'000}, options_.interval)} {
  for (const auto& threshold : options_.thresholds) thresholds_[threshold.metric] = threshold;
}

std::vector<Figure> MetricsCollector::measure(db::BlockingSession& session) {
  std::vector<Figure> figures;
  host(figures);
  database(session, figures);
  if (options_.redis) redis(figures);
  return figures;
}

void MetricsCollector::host(std::vector<Figure>& out) {
  auto cpu = metrics::read_cpu();
  auto process = metrics::read_process();
  auto network = metrics::read_network();
  auto now = Clock::now();
  if (!cpu_) {  // the first run: a second sample a moment later, for the rates
    cpu_ = cpu;
    process_ = process;
    network_ = network;
    sampled_ = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    cpu = metrics::read_cpu();
    process = metrics::read_process();
    network = metrics::read_network();
    now = Clock::now();
  }
  const double elapsed = seconds_between(sampled_, now);
  if (cpu && cpu_)
    out.push_back({"cpu", "cpu_usage_percent", metrics::busy_percent(*cpu_, *cpu), "percent", {}});
  if (const auto load = metrics::read_load_average()) {
    out.push_back({"cpu", "load_average_1m", *load, "processes", {}});
  }
  if (const auto memory = metrics::read_memory()) {
    const double used = 100.0 * static_cast<double>(memory->total_kib - memory->available_kib) /
                        static_cast<double>(memory->total_kib);
    out.push_back({"memory", "memory_used_percent", used, "percent", {}});
    out.push_back({"memory",
                   "memory_available_mb",
                   static_cast<double>(memory->available_kib) / 1024.0,
                   "MB",
                   {}});
  }
  for (const auto& path : {options_.log_dir, options_.upload_dir}) {
    const auto disk = metrics::read_disk(path);
    if (!disk) continue;
    const boost::json::object where{{"path", path.string()}};
    out.push_back({"disk", "disk_used_percent",
                   100.0 * static_cast<double>(disk->total_bytes - disk->available_bytes) /
                       static_cast<double>(disk->total_bytes),
                   "percent", where});
    out.push_back({"disk", "disk_free_gb",
                   static_cast<double>(disk->available_bytes) / (kMiB * 1024), "GB", where});
  }
  // A count that went down (an interface removed, its counters reset) gives no rate this
  // time, rather than a wrapped one.
  if (network && network_ && elapsed > 0 && network->received >= network_->received &&
      network->transmitted >= network_->transmitted) {
    out.push_back({"network",
                   "network_receive_bytes_per_second",
                   static_cast<double>(network->received - network_->received) / elapsed,
                   "bytes/s",
                   {}});
    out.push_back({"network",
                   "network_transmit_bytes_per_second",
                   static_cast<double>(network->transmitted - network_->transmitted) / elapsed,
                   "bytes/s",
                   {}});
  }
  if (const auto rss = metrics::resident_memory_bytes()) {
    out.push_back({"process", "process_memory_mb", static_cast<double>(*rss) / kMiB, "MB", {}});
  }
  if (process && process_ && elapsed > 0) {
    const double cpu_seconds = static_cast<double>(process->cpu_ticks - process_->cpu_ticks) /
                               static_cast<double>(metrics::clock_ticks_per_second());
    out.push_back({"process", "process_cpu_percent", 100.0 * cpu_seconds / elapsed, "percent", {}});
    out.push_back(
        {"process", "process_threads", static_cast<double>(process->threads), "threads", {}});
  }
  if (const auto fds = metrics::open_file_descriptors()) {
    out.push_back({"process", "process_open_fds", static_cast<double>(*fds), "descriptors", {}});
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur > 0 &&
        limit.rlim_cur != RLIM_INFINITY) {
      out.push_back({"process",
                     "process_open_fds_percent",
                     100.0 * static_cast<double>(*fds) / static_cast<double>(limit.rlim_cur),
                     "percent",
                     {}});
    }
  }
  cpu_ = cpu;
  process_ = process;
  network_ = network;
  sampled_ = now;
}

void MetricsCollector::database(db::BlockingSession& session, std::vector<Figure>& out) {
  const auto states = session.exec(
      "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
      "WHERE datname = current_database() AND backend_type = 'client backend' GROUP BY 1 "
      "ORDER BY 1");
  for (int row = 0; row < states.size(); ++row) {
    out.push_back({"database", "db_connections", std::stod(states.value(row, 1)), "connections",
                   boost::json::object{{"state", states.value(row, 0)}}});
  }
  const auto totals = session.exec(
      "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') * "
      "100.0 / current_setting('max_connections')::int, "
      "pg_database_size(current_database()) / 1048576.0, "
      "(SELECT 100.0 * blks_hit / nullif(blks_hit + blks_read, 0) FROM pg_stat_database "
      " WHERE datname = current_database()), "
      "coalesce((SELECT extract(epoch FROM max(now() - xact_start)) FROM pg_stat_activity "
      " WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()), 0), "
      "CASE WHEN pg_is_in_recovery() "
      "THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) "
      "ELSE (SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication) END");
  const auto number = [&](int column) -> std::optional<double> {
    const std::string text = totals.value(0, column);
    if (text.empty()) return std::nullopt;  // NULL
    return std::stod(text);
  };
  if (const auto v = number(0))
    out.push_back({"database", "db_connections_used_percent", *v, "percent", {}});
  if (const auto v = number(1)) out.push_back({"database", "db_size_mb", *v, "MB", {}});
  if (const auto v = number(2))
    out.push_back({"database", "db_cache_hit_percent", *v, "percent", {}});
  if (const auto v = number(3)) {
    out.push_back({"database", "db_longest_transaction_seconds", *v, "seconds", {}});
  }
  if (const auto v = number(4)) {
    out.push_back({"database", "db_replication_lag_seconds", *v, "seconds", {}});
  }
}

void MetricsCollector::redis(std::vector<Figure>& out) {
  cache::BlockingRedis redis(*options_.redis, options_.redis_timeout);
  const std::string info = redis.command({"INFO"}).text;
  const auto used = info_field(info, "used_memory");
  const auto max = info_field(info, "maxmemory");
  if (used) {
    out.push_back({"redis", "redis_used_memory_mb", *used / kMiB, "MB", {}});
    if (max && *max > 0) {
      out.push_back({"redis", "redis_memory_used_percent", 100.0 * *used / *max, "percent", {}});
    }
  }
  if (const auto clients = info_field(info, "connected_clients")) {
    out.push_back({"redis", "redis_connected_clients", *clients, "clients", {}});
  }
  if (const auto evicted = info_field(info, "evicted_keys")) {
    const auto now = Clock::now();
    if (evicted_ && now > evicted_at_) {
      out.push_back({"redis",
                     "redis_evicted_keys_per_second",
                     std::max(0.0, *evicted - static_cast<double>(*evicted_)) /
                         seconds_between(evicted_at_, now),
                     "keys/s",
                     {}});
    }
    evicted_ = static_cast<std::int64_t>(*evicted);
    evicted_at_ = now;
  }
}

RunReport MetricsCollector::run(RunContext& ctx) {
  const auto figures = measure(ctx.session());
  boost::json::array rows;
  for (const auto& figure : figures) {
    boost::json::object row{{"metric_type", figure.type},
                            {"metric_name", figure.name},
                            {"value", figure.value},
                            {"unit", figure.unit},
                            {"metadata", figure.metadata}};
    if (const auto found = thresholds_.find(figure.name); found != thresholds_.end()) {
      row["threshold_warning"] = found->second.warning;
      row["threshold_critical"] = found->second.critical;
      if (found->second.below) row["metadata"].as_object()["threshold_below"] = true;
    }
    rows.push_back(std::move(row));
  }
  ctx.session().exec(
      "INSERT INTO system_metrics (server_instance, metric_type, metric_name, value, unit, "
      "threshold_warning, threshold_critical, metadata) "
      "SELECT $1, r.metric_type, r.metric_name, round(r.value::numeric, 6), r.unit, "
      "r.threshold_warning, r.threshold_critical, coalesce(r.metadata, '{}') "
      "FROM jsonb_to_recordset($2::jsonb) AS r(metric_type text, metric_name text, value float8, "
      "unit text, threshold_warning numeric, threshold_critical numeric, metadata jsonb)",
      {options_.instance, util::json::serialize(rows)});
  return {{"rows_written", static_cast<std::int64_t>(rows.size())}};
}

}  // namespace pend::workers
