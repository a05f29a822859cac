// BatchSink: the common part of the sinks that ship batches to a server (PostgreSQL,
// Elasticsearch). The writer thread only collects lines; a thread of the sink's own turns
// them into rows and delivers them. Batches of batch_size, or whatever is pending every
// interval, or at once after an error entry.
//
// Nothing is lost: a batch the server cannot take goes to the sink's spool
// (LOG_DIR/spool/<name>), and so does every later batch while the spool is not empty, to keep
// the order; every `retry` the oldest spooled batch is tried again, and the spool is replayed
// in order once the server answers, also by a later process. Rows carry ids given before
// their first attempt, so a subclass can make a replay idempotent. Rows a server refuses as
// invalid go to LOG_DIR/dead-letter/<name>.jsonl instead of being retried forever.
#pragma once

#include "logging/sink.hpp"
#include "logging/spool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace pend::logging {

struct BatchSinkOptions {
  std::string name;  // spool and dead-letter file names
  Level level = Level::info;
  std::size_t batch_size = 100;
  std::chrono::milliseconds interval{5'000};
  std::filesystem::path log_dir;
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
  std::chrono::milliseconds retry{2'000};  // between attempts while the server is away
};

struct BatchSinkFigures {
  std::atomic<std::uint64_t> rows{0};          // stored
  std::atomic<std::uint64_t> batches{0};       // delivered
  std::atomic<std::uint64_t> spooled{0};       // batches written to the spool
  std::atomic<std::uint64_t> replayed{0};      // spooled batches delivered later
  std::atomic<std::uint64_t> dead_letters{0};  // rows refused as invalid
  std::atomic<std::uint64_t> lost{0};          // rows neither stored nor spooled (spool full)
  std::atomic<bool> down{false};
};

class BatchSink : public Sink {
 public:
  ~BatchSink() override;
  BatchSink(const BatchSink&) = delete;
  BatchSink& operator=(const BatchSink&) = delete;

  void write(const RecordMeta& meta, std::string_view line) final;
  void flush() final;
  std::string_view name() const final { return options_.name; }
  const BatchSinkFigures& figures() const { return figures_; }

 protected:
  explicit BatchSink(BatchSinkOptions options);
  // Subclasses call start() at the end of their constructor and stop() first in their
  // destructor: the delivery thread calls the virtuals below.
  void start();
  void stop();

  // On the delivery thread. A row is one JSON object with an "id".
  virtual std::string to_row(std::string_view line) = 0;
  // True when the batch is done with (stored, or its refused rows dead-lettered); false when
  // the server cannot be reached and the batch must wait. replay: the batch comes from the
  // spool, so part of it may be stored already (a crash between commit and removal).
  virtual bool deliver(const std::vector<std::string>& rows, bool replay) = 0;
  void dead_letter(const std::string& row);
  BatchSinkFigures figures_;

 private:
  void run();

  BatchSinkOptions options_;
  std::vector<std::string> pending_;  // writer thread
  bool urgent_ = false;
  std::chrono::steady_clock::time_point last_handoff_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<std::string>> queue_;
  bool stopping_ = false;
  Spool spool_;  // delivery thread
  std::thread thread_;
};

}  // namespace pend::logging
