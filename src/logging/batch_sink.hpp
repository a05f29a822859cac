// BatchSink: the common part of the sinks that ship batches to a server (PostgreSQL,
// Elasticsearch). The writer thread only collects lines; delivery threads of the sink's own
// give each its id and deliver them. Batches of batch_size, or whatever is pending every
// interval, or at once after an error entry; under a backlog, waiting batches are merged (up
// to 5,000 rows) and `deliveries` threads send them side by side.
//
// Nothing is lost: a batch the server cannot take goes to the sink's spool
// (LOG_DIR/spool/<name>), and so does every later batch while the spool is not empty, so
// nothing new overtakes it; every `retry` the oldest spooled batch is tried again, and the
// spool is replayed oldest first once the server answers, also by a later process. A backlog
// beyond what memory should hold (100,000 rows) goes to the spool too, and is replayed as
// soon as the server has caught up. Rows carry ids given before their first attempt, so a
// subclass can make a replay idempotent. Rows a server refuses as invalid go to
// LOG_DIR/dead-letter/<name>.jsonl instead of being retried forever.
#pragma once

#include "logging/sink.hpp"
#include "logging/spool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
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
  unsigned deliveries = 1;                 // delivery threads, each with its own connection
  std::size_t max_backlog_rows = 100'000;  // waiting in memory (about 70 MB); more: the spool
  RecordKind kind = RecordKind::log;       // the records the sink takes
  // Lines get an "id" spliced in before their first attempt (JSON lines); false: they
  // carry one already (the api_metrics rows, made with theirs).
  bool splice_ids = true;
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

// The entry with "id":"<id>" spliced in as its last member, so that it wins over any "id"
// field of the entry's own (no parsing: the logger's lines are JSON objects; anything else
// becomes {"message":<the text>,"id":...}).
std::string with_id(std::string_view line, std::string_view id);

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
  // destructor: the delivery threads call the virtual below.
  void start();
  void stop();

  // On delivery thread `delivery` (0 .. deliveries-1; calls with the same number never
  // overlap). rows: the entries as the logger wrote them, each with an "id" (a UUIDv7 given
  // before the first attempt and kept in the spool) as its last member. True when the batch
  // is done with (stored, or its refused rows dead-lettered); false when the server cannot
  // be reached and the batch must wait. replay: the batch was sent before, so part of it may
  // be stored already (a crash between commit and removal).
  virtual bool deliver(unsigned delivery, const std::vector<std::string>& rows, bool replay) = 0;
  void dead_letter(const std::string& row);  // any delivery thread
  BatchSinkFigures figures_;

 private:
  struct Work;
  void run(unsigned delivery);
  bool next_work(Work& work);  // false: stopping, nothing left for this thread
  void finish(Work& work, bool delivered);
  std::vector<std::string> take_merged();  // under mutex_: the oldest queued batches, with ids
  void to_spool(const std::vector<std::string>& rows, bool attempted);

  BatchSinkOptions options_;
  std::vector<std::string> pending_;  // writer thread
  bool urgent_ = false;
  std::chrono::steady_clock::time_point last_handoff_ = std::chrono::steady_clock::now();

  // The delivery threads' shared state: the batches waiting in memory, then the spool, one
  // FIFO; the server's state.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<std::string>> queue_;
  std::size_t queued_rows_ = 0;
  Spool spool_;                            // thread-safe itself
  std::set<std::filesystem::path> taken_;  // spooled batches being delivered right now
  bool down_ = false;                      // the last attempt failed
  std::chrono::steady_clock::time_point next_retry_{};
  bool stopping_ = false;
  std::mutex dead_letter_mutex_;
  std::vector<std::thread> threads_;
};

}  // namespace pend::logging
