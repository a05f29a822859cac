// PostgresSink: entries into server_logs, in batches of batch_size (100) or every interval
// (5 s), at once when an error entry arrives. Delivery runs on the sink's own thread with a
// blocking libpq session, one statement per batch (the batch as one JSON parameter, spread
// by jsonb_to_recordset), so the writer thread and the other sinks never wait for it.
//
// Nothing is lost: a batch PostgreSQL cannot take goes to the spool (LOG_DIR/spool/postgres),
// and so does every batch after it while the spool is not empty, to keep the order. The spool
// is replayed oldest first when PostgreSQL answers again, also after a restart. Every row has
// an id given before its first attempt and the insert skips ids already there, so a batch
// replayed after a crash between commit and spool removal is stored once. Rows PostgreSQL
// refuses as invalid go, one by one, to LOG_DIR/dead-letter/postgres.jsonl instead of being
// retried forever.
#pragma once

#include "logging/sink.hpp"
#include "logging/spool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pend::db {
class BlockingSession;
}

namespace pend::logging {

struct PostgresSinkOptions {
  std::string url;  // secret
  Level level = Level::info;
  std::size_t batch_size = 100;
  std::chrono::milliseconds interval{5'000};
  std::filesystem::path log_dir;  // spool/postgres and dead-letter/postgres.jsonl below it
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
  std::chrono::milliseconds retry{2'000};  // between delivery attempts while down
};

struct PostgresSinkFigures {
  std::atomic<std::uint64_t> rows{0};          // stored
  std::atomic<std::uint64_t> batches{0};       // statements that stored a batch
  std::atomic<std::uint64_t> spooled{0};       // batches written to the spool
  std::atomic<std::uint64_t> replayed{0};      // spooled batches delivered later
  std::atomic<std::uint64_t> dead_letters{0};  // rows refused as invalid
  std::atomic<std::uint64_t> lost{0};          // rows neither stored nor spooled (spool full)
  std::atomic<bool> down{false};
};

class PostgresSink final : public Sink {
 public:
  explicit PostgresSink(PostgresSinkOptions options);
  ~PostgresSink() override;  // hands over what is pending and delivers or spools it
  PostgresSink(const PostgresSink&) = delete;
  PostgresSink& operator=(const PostgresSink&) = delete;

  void write(const RecordMeta& meta, std::string_view line) override;
  void flush() override;
  std::string_view name() const override { return "postgres"; }

  const PostgresSinkFigures& figures() const { return figures_; }

  // One log line as a server_logs row (JSON), for tests: id given, fields mapped to columns,
  // values the table would refuse dropped, the rest (message included) in metadata.
  static std::string row_of(std::string_view line);

 private:
  void run();
  bool deliver(const std::vector<std::string>& rows);
  void dead_letter(const std::string& row);

  PostgresSinkOptions options_;
  // Writer thread's side.
  std::vector<std::string> pending_;
  bool urgent_ = false;
  std::chrono::steady_clock::time_point last_handoff_ = std::chrono::steady_clock::now();
  // Shared with the delivery thread.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<std::string>> queue_;  // raw lines, in order
  bool stopping_ = false;
  // Delivery thread's side.
  Spool spool_;
  std::unique_ptr<db::BlockingSession> session_;
  PostgresSinkFigures figures_;
  std::thread thread_;
};

}  // namespace pend::logging
