// WorkerRunner: runs workers each on a thread of its own until stop(). Every run is logged
// (WORKER_RUN_STARTED, then WORKER_RUN_FINISHED or WORKER_RUN_FAILED with its duration and
// what it did), recorded in worker_runs and counted in /metrics. A failed run never ends
// the process: the worker waits twice as long after each failure in a row (up to
// max(interval, 5 min)), then carries on. A cluster-scoped worker runs only while its lease
// (workers/lease.hpp) is held; its standby tries the lock every `takeover`.
//
//   WorkerRunner runner({.database_url = url, .instance = "api-1", .takeover = 5s});
//   runner.add(std::make_unique<Cleanup>(...));
//   runner.start();  ...  runner.stop();   // waits for runs in progress
#pragma once

#include "workers/worker.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::workers {

struct RunnerOptions {
  std::string database_url;  // secret
  std::string instance = "local";
  std::chrono::milliseconds takeover{5'000};
};

class WorkerRunner {
 public:
  explicit WorkerRunner(RunnerOptions options);
  ~WorkerRunner();  // stops
  WorkerRunner(const WorkerRunner&) = delete;
  WorkerRunner& operator=(const WorkerRunner&) = delete;

  void add(std::unique_ptr<Worker> worker);  // before start()
  void start();
  void stop();  // idempotent; returns when every thread has ended
  bool empty() const { return slots_.empty(); }

  void collect(metrics::PrometheusWriter& out) const;
  // Whether the named worker runs on this instance now (holds its lease, if cluster-wide).
  bool running_here(std::string_view name) const;

 private:
  struct Slot;
  void run(Slot& slot);
  bool run_once(Slot& slot, db::BlockingSession& session);  // false: the run failed
  // Waits for `duration` or stop(); false when stopping.
  bool pause(std::chrono::milliseconds duration);

  RunnerOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::thread> threads_;
};

}  // namespace pend::workers
