// The workers pend-server knows, built from the settings: what `serve` runs beside the API
// (workers.enabled) and what `pend-server worker NAME` runs alone.
//
//   metrics-collector   per instance   workers/metrics_collector.hpp
//   alerting            cluster-wide   workers/alerting.hpp
//   cleanup             cluster-wide   workers/cleanup.hpp
#pragma once

#include "config/settings.hpp"
#include "workers/runner.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace pend::workers {

class Alerting;

inline constexpr std::string_view kWorkerNames[] = {"metrics-collector", "alerting", "cleanup"};

// Null for an unknown name (the loader refuses those in workers.enabled).
std::unique_ptr<Worker> make_worker(std::string_view name, const config::Settings& settings);

// A runner with the named workers; *alerting (when asked for) points at the alerting worker,
// whose figures /metrics shows.
std::unique_ptr<WorkerRunner> make_runner(const std::vector<std::string>& names,
                                          const config::Settings& settings,
                                          Alerting** alerting = nullptr);

}  // namespace pend::workers
