// The workers pend-server has: one table, read by `serve` (workers.enabled), by
// `pend-server worker NAME` and its --help, and by the configuration check.
//
//   metrics-collector   per instance   workers/metrics_collector.hpp
//   alerting            cluster-wide   workers/alerting.hpp
//   cleanup             cluster-wide   workers/cleanup.hpp
//   audit-checkpoints   cluster-wide   workers/audit_checkpoints.hpp
//   indexer             cluster-wide   chain/indexer.hpp
//   chain-events        cluster-wide   chain/events.hpp
#pragma once

#include "config/settings.hpp"
#include "workers/runner.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace pend::app {

struct RunnerContext;

struct WorkerEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<workers::Worker> (*make)(const config::Settings& settings,
                                           const RunnerContext& context);
};

const std::vector<WorkerEntry>& worker_table();
std::vector<std::string_view> worker_names();

// Where a runner's workers run: `serve`, or `pend-server worker NAME` (on a terminal, the
// indexer draws a progress bar).
struct RunnerContext {
  bool terminal = false;
};

// A runner with the named workers (unknown names are skipped: the loader refused them).
std::unique_ptr<workers::WorkerRunner> make_runner(const std::vector<std::string>& names,
                                                   const config::Settings& settings,
                                                   RunnerContext context = {});

}  // namespace pend::app
