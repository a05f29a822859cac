#include "workers/runner.hpp"

#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "metrics/prometheus_writer.hpp"
#include "util/json.hpp"
#include "util/thread_name.hpp"
#include "workers/lease.hpp"

#include <algorithm>
#include <random>
#include <thread>

namespace pend::workers {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kMaxBackoff{5 * 60'000};

// interval ± jitter, uniformly.
milliseconds jittered(milliseconds interval, milliseconds jitter) {
  if (jitter.count() <= 0) return interval;
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> spread(-jitter.count(), jitter.count());
  return std::max(milliseconds{1}, interval + milliseconds{spread(random)});
}

// After `failures` failed runs in a row: twice the interval per failure, up to
// max(interval, kMaxBackoff).
milliseconds backoff(milliseconds interval, int failures) {
  const auto ceiling = std::max(interval, kMaxBackoff);
  auto wait = interval;
  for (int i = 0; i < failures && wait < ceiling; ++i) wait *= 2;
  return std::min(wait, ceiling);
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void RunContext::check() const {
  if (stopping_.load()) throw RunStopped("the worker is stopping");
  if (Clock::now() > deadline_) throw RunStopped("past the run's deadline");
}

void RunContext::pause(std::chrono::milliseconds duration) const {
  const auto until = Clock::now() + duration;
  for (check(); Clock::now() < until; check()) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
  }
}

std::chrono::milliseconds RunContext::bounded(std::chrono::milliseconds timeout) const {
  check();
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
  return std::max(std::chrono::milliseconds(1), std::min(timeout, left));
}

struct WorkerRunner::Slot {
  std::unique_ptr<Worker> worker;
  std::atomic<std::uint64_t> ok{0}, failed{0}, late{0};
  std::atomic<std::int64_t> last_duration_us{0}, last_success{0}, failures_in_a_row{0};
  std::atomic<bool> leader{false};
  mutable std::mutex items_mutex;
  std::map<std::string, std::int64_t> items;  // summed integer members of the reports
};

WorkerRunner::WorkerRunner(RunnerOptions options) : options_(std::move(options)) {}

WorkerRunner::~WorkerRunner() { stop(); }

void WorkerRunner::add(std::unique_ptr<Worker> worker) {
  auto slot = std::make_unique<Slot>();
  slot->worker = std::move(worker);
  slots_.push_back(std::move(slot));
}

void WorkerRunner::start() {
  for (auto& slot : slots_) {
    threads_.emplace_back([this, &slot = *slot] {
      util::name_this_thread("pend-w-" + slot.worker->spec().name);
      util::make_this_thread_background();
      run(slot);
    });
  }
}

void WorkerRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

bool WorkerRunner::pause(milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void WorkerRunner::run(Slot& slot) {
  const WorkerSpec& spec = slot.worker->spec();
  std::unique_ptr<AdvisoryLease> lease;
  std::unique_ptr<db::BlockingSession> own;  // an instance-scoped worker's session
  if (spec.scope == Scope::cluster) {
    lease = std::make_unique<AdvisoryLease>(options_.database_url, spec.name);
  } else {
    slot.leader = true;
  }
  int failures = 0;
  while (!stopping_) {
    db::BlockingSession* session = nullptr;
    if (lease) {
      slot.leader = lease->hold();
      if (!slot.leader) {
        if (!pause(options_.takeover)) break;
        continue;
      }
      session = &lease->session();
    } else {
      try {
        if (!own)
          own = std::make_unique<db::BlockingSession>(with_keepalives(options_.database_url));
        session = own.get();
      } catch (const db::DatabaseError& error) {
        logging::warn("GENERAL", "WORKER_RUN_FAILED", "worker cannot reach PostgreSQL",
                      {{"worker", spec.name}, {"error", error.what()}});
      }
    }
    const bool ok = session != nullptr && run_once(slot, *session);
    failures = ok ? 0 : failures + 1;
    slot.failures_in_a_row = failures;
    if (!ok) own.reset();  // a fresh session next time (a lease checks its own)
    const auto wait = ok ? jittered(spec.interval, spec.jitter)
                         : jittered(backoff(spec.interval, failures), spec.jitter);
    if (!lease) {
      if (!pause(wait)) break;
      continue;
    }
    // A leader proves its lease every `takeover` while it waits, so /metrics stops calling
    // it the leader (and it stops running) as soon as the lock is gone.
    const auto until = std::chrono::steady_clock::now() + wait;
    bool stopping = false;
    while (!stopping && std::chrono::steady_clock::now() < until && slot.leader) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now());
      stopping = !pause(std::min(left, options_.takeover));
      if (!stopping) slot.leader = lease->hold();
    }
    if (stopping) break;
  }
  slot.leader = false;
}

bool WorkerRunner::running_here(std::string_view name) const {
  for (const auto& slot : slots_) {
    if (slot->worker->spec().name == name) return slot->leader.load();
  }
  return false;
}

bool WorkerRunner::run_once(Slot& slot, db::BlockingSession& session) {
  const WorkerSpec& spec = slot.worker->spec();
  const auto started = Clock::now();
  const auto deadline = started + spec.deadline;
  logging::info("GENERAL", "WORKER_RUN_STARTED", "worker run started", {{"worker", spec.name}});

  RunReport report;
  std::string error;
  std::string outcome = "ok";
  std::string run_id;
  try {
    session.exec("SET statement_timeout = " + std::to_string(spec.deadline.count()));
    run_id = session
                 .exec(
                     "INSERT INTO worker_runs (worker, server_instance) VALUES ($1, $2) "
                     "RETURNING id",
                     {spec.name, options_.instance})
                 .value(0, 0);
    RunContext ctx(session, deadline, stopping_);
    report = slot.worker->run(ctx);
    if (Clock::now() > deadline) outcome = "deadline_exceeded";
  } catch (const RunStopped& stopped) {
    outcome = Clock::now() > deadline ? "deadline_exceeded" : "failed";
    error = stopped.what();
  } catch (const db::DatabaseError& failure) {
    outcome = failure.sqlstate() == "57014" ? "deadline_exceeded" : "failed";
    error = failure.what();
  } catch (const std::exception& failure) {
    outcome = "failed";
    error = failure.what();
  } catch (...) {
    outcome = "failed";
    error = "unknown exception";
  }
  const bool completed = error.empty();
  const auto duration =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  try {
    if (!completed) session.exec("ROLLBACK");  // whatever the run left open
    if (!run_id.empty()) {
      session.exec(
          "UPDATE worker_runs SET finished_at = now(), outcome = $2, summary = $3::jsonb, "
          "error = NULLIF($4, '') WHERE id = $1",
          {run_id, outcome, util::json::serialize(report), error});
    }
  } catch (const db::DatabaseError&) {
    // The session went away with the run; the row stays unfinished.
  }

  slot.last_duration_us = duration.count();
  (outcome == "ok"                  ? slot.ok
   : outcome == "deadline_exceeded" ? slot.late
                                    : slot.failed)
      .fetch_add(1);
  if (completed) {
    slot.last_success = unix_seconds();
    std::lock_guard lock(slot.items_mutex);
    for (const auto& [key, value] : report) {
      if (value.is_int64()) slot.items[std::string{key}] += value.get_int64();
    }
  }

  logging::Entry entry;
  entry.level = completed ? logging::Level::info : logging::Level::warn;
  entry.category = "GENERAL";
  entry.event_type = completed ? "WORKER_RUN_FINISHED" : "WORKER_RUN_FAILED";
  entry.message = completed ? "worker run finished" : "worker run failed";
  entry.error_message = error;
  boost::json::value metadata = report;
  metadata.as_object()["worker"] = spec.name;
  metadata.as_object()["outcome"] = outcome;
  metadata.as_object()["duration_ms"] = static_cast<double>(duration.count()) / 1000.0;
  entry.metadata = &metadata;
  if (logging::Logger* logger = logging::global()) logger->log(entry);
  return completed;
}

void WorkerRunner::collect(metrics::PrometheusWriter& out) const {
  if (slots_.empty()) return;
  out.family("pend_worker_runs_total", "counter", "Worker runs, by outcome.");
  for (const auto& slot : slots_) {
    const std::string_view name = slot->worker->spec().name;
    out.sample("pend_worker_runs_total", {{"worker", name}, {"outcome", "ok"}}, slot->ok.load());
    out.sample("pend_worker_runs_total", {{"worker", name}, {"outcome", "failed"}},
               slot->failed.load());
    out.sample("pend_worker_runs_total", {{"worker", name}, {"outcome", "deadline_exceeded"}},
               slot->late.load());
  }
  const auto gauge = [&](std::string_view family, std::string_view help, auto read) {
    out.family(family, "gauge", help);
    for (const auto& slot : slots_)
      out.sample(family, {{"worker", slot->worker->spec().name}}, read(*slot));
  };
  gauge("pend_worker_last_run_duration_seconds", "How long the worker's last run took.",
        [](const Slot& s) { return static_cast<double>(s.last_duration_us.load()) / 1e6; });
  gauge("pend_worker_last_success_timestamp_seconds",
        "When the worker's last run completed (Unix seconds; 0: none yet).",
        [](const Slot& s) { return s.last_success.load(); });
  gauge("pend_worker_consecutive_failures", "Failed runs in a row (0 after a success).",
        [](const Slot& s) { return s.failures_in_a_row.load(); });
  gauge("pend_worker_leader",
        "1 while this instance runs the worker (always, for a per-instance worker).",
        [](const Slot& s) { return std::int64_t{s.leader.load() ? 1 : 0}; });
  out.family("pend_worker_items_total", "counter",
             "What the worker's runs reported doing, by item (rows written, files removed...).");
  for (const auto& slot : slots_) {
    std::lock_guard lock(slot->items_mutex);
    for (const auto& [item, count] : slot->items) {
      out.sample("pend_worker_items_total", {{"worker", slot->worker->spec().name}, {"item", item}},
                 count);
    }
  }
  for (const auto& slot : slots_) {
    if (slot->leader.load()) slot->worker->collect(out);
  }
}

}  // namespace pend::workers
