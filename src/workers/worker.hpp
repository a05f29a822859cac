// Worker: a named background task the runner (workers/runner.hpp) calls every `interval`
// (plus or minus `jitter`), each call bounded by `deadline`. A cluster-scoped worker runs on
// one instance at a time: the one holding its PostgreSQL advisory lock (workers/lease.hpp);
// an instance-scoped one runs on every instance (it measures its own host).
//
//   class Cleanup final : public Worker {
//     const WorkerSpec& spec() const override { return spec_; }
//     RunReport run(RunContext& ctx) override {
//       ctx.session().exec("DELETE ...");   // under the lock, within the deadline
//       return {{"removed", 3}};
//     }
//   };
#pragma once

#include "db/blocking_session.hpp"

namespace pend::metrics {
class PrometheusWriter;
}

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

namespace pend::workers {

enum class Scope : std::uint8_t {
  instance,  // every instance runs its own
  cluster,   // one instance at a time, across all that share the database
};

struct WorkerSpec {
  std::string name;
  Scope scope = Scope::cluster;
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds jitter{0};         // each wait is interval ± up to this
  std::chrono::milliseconds deadline{30'000};  // a run's budget; statements are cut to it
};

// What a run did, as the log entry's metadata and the worker_runs row's summary; integer
// members also count in /metrics (pend_worker_items_total).
using RunReport = boost::json::object;

// Thrown by RunContext::check() when the run must stop early.
class RunStopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RunContext {
 public:
  RunContext(db::BlockingSession& session, std::chrono::steady_clock::time_point deadline,
             const std::atomic<bool>& stopping)
      : session_(session), deadline_(deadline), stopping_(stopping) {}

  // The worker's own session (a cluster worker's is the one holding its lock: if the lock is
  // lost, so is the session, and no statement of the run goes through on a second leader).
  db::BlockingSession& session() { return session_; }
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  bool stopping() const { return stopping_.load(); }
  // Between steps of a long run: throws RunStopped past the deadline or when stopping.
  void check() const;
  // Waits (a backoff between attempts), checking as above every 50 ms.
  void pause(std::chrono::milliseconds duration) const;
  // A call's timeout cut to the time the run has left (check() first).
  std::chrono::milliseconds bounded(std::chrono::milliseconds timeout) const;

 private:
  db::BlockingSession& session_;
  std::chrono::steady_clock::time_point deadline_;
  const std::atomic<bool>& stopping_;
};

class Worker {
 public:
  virtual ~Worker() = default;
  virtual const WorkerSpec& spec() const = 0;
  // One run. Throws on failure: the runner logs it, counts it and backs off.
  virtual RunReport run(RunContext& ctx) = 0;
  // The worker's own figures for /metrics, while it runs on this instance (thread-safe).
  virtual void collect(metrics::PrometheusWriter& /*out*/) const {}
};

}  // namespace pend::workers
