// The workers pend-server has: one table, read by `serve` (workers.enabled), by
// `pend-server worker NAME` and its --help, and by the configuration check.
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
}

namespace pend::app {

struct WorkerEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<workers::Worker> (*make)(const config::Settings& settings);
};

const std::vector<WorkerEntry>& worker_table();
std::vector<std::string_view> worker_names();

// A runner with the named workers (unknown names are skipped: the loader refused them);
// *alerting (when asked for) points at the alerting worker, whose figures /metrics shows.
std::unique_ptr<workers::WorkerRunner> make_runner(const std::vector<std::string>& names,
                                                   const config::Settings& settings,
                                                   workers::Alerting** alerting = nullptr);

}  // namespace pend::app
