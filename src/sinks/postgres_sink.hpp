// PostgresSink: records into a PostgreSQL table, in batches of batch_size (100) or every
// interval (5 s), at once when an error entry arrives. Delivery runs on the sink's own
// threads, a blocking libpq session each (two by default, so PostgreSQL can work on two
// batches at once under a backlog), so the writer thread and the other sinks never wait for
// it. Each batch is one binary COPY, streamed: PostgreSQL stores the first rows while the
// sink still encodes the last. What the table is and how a line becomes its row is the
// CopyTarget: server_logs (sinks/log_row.hpp) for the log, api_metrics
// (sinks/api_metrics_target.hpp) for the request metrics.
//
// Nothing is lost: a batch PostgreSQL cannot take goes to the spool (LOG_DIR/spool/<name>),
// and so does every batch after it while the spool is not empty, to keep the order. The spool
// is replayed oldest first when PostgreSQL answers again, also after a restart. Every row has
// an id given before its first attempt; a replay (and a fresh batch whose COPY PostgreSQL
// refused for its data) goes through a staging table and INSERT ... ON CONFLICT DO NOTHING,
// so a batch replayed after a crash between commit and spool removal is stored once. Rows
// PostgreSQL still refuses go, one by one, to LOG_DIR/dead-letter/<name>.jsonl instead of
// being retried forever.
#pragma once

#include "logging/batch_sink.hpp"

#include <functional>
#include <memory>
#include <string>

namespace pend::db {
class BlockingSession;
}  // namespace pend::db

namespace pend::sinks {

// The logging layer's pieces these sinks are built of.
using logging::BatchSink;
using logging::BatchSinkOptions;
using logging::Level;
using logging::RecordKind;

// Turns lines into rows of the target's COPY. One per delivery thread, so it may keep
// buffers.
class RowEncoder {
 public:
  virtual ~RowEncoder() = default;
  // Appends the line's row to out; false when the line cannot be a row (it is
  // dead-lettered).
  virtual bool encode(std::string_view line, std::string& out) = 0;
};

struct CopyTarget {
  std::string copy;            // COPY table (columns) FROM STDIN [(FORMAT binary)]
  std::string create_staging;  // CREATE TEMPORARY TABLE IF NOT EXISTS ... ON COMMIT DELETE ROWS
  std::string copy_staging;    // the same COPY into the staging table
  std::string merge;           // INSERT INTO table SELECT ... FROM staging ON CONFLICT DO NOTHING
  bool binary = true;          // the COPYs' format: the sink adds its header and trailer
  std::function<std::unique_ptr<RowEncoder>()> encoder;
};

// server_logs: LogRow's mapping of log lines.
CopyTarget server_logs_target();

struct PostgresSinkOptions {
  std::string url;  // secret
  Level level = Level::info;
  std::size_t batch_size = 100;
  std::chrono::milliseconds interval{5'000};
  std::filesystem::path log_dir;  // spool/<name> and dead-letter/<name>.jsonl below it
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
  std::chrono::milliseconds retry{2'000};  // between delivery attempts while down
  unsigned connections = 2;                // batches delivered side by side under a backlog
  std::size_t max_backlog_rows = 100'000;  // waiting in memory; more goes to the spool
  std::string name = "postgres";           // spool, dead letters, /metrics
  RecordKind kind = RecordKind::log;
  bool splice_ids = true;  // false: the lines carry their ids already (BatchSinkOptions)
  CopyTarget target = server_logs_target();
};

class PostgresSink final : public BatchSink {
 public:
  explicit PostgresSink(PostgresSinkOptions options);
  ~PostgresSink() override;  // delivers or spools what is pending

 private:
  // A delivery thread's own: its session, its buffer, its encoder.
  struct Channel {
    std::unique_ptr<db::BlockingSession> session;
    std::string buffer;
    std::unique_ptr<RowEncoder> rows;
    bool staging_ready = false;  // the session's temporary table exists
  };

  bool deliver(unsigned delivery, const std::vector<std::string>& rows, bool replay) override;
  // Streams rows with COPY (binary); returns those that cannot be rows, to be dead-lettered
  // once the COPY's transaction has committed.
  std::vector<const std::string*> copy(Channel& channel, const std::vector<std::string>& rows,
                                       const std::string& copy_sql);
  void stored(const std::vector<std::string>& rows, const std::vector<const std::string*>& refused);
  // Through the staging table: ids already stored are skipped, missing users become NULL.
  void merge(Channel& channel, const std::vector<std::string>& rows);
  void merge_row_by_row(Channel& channel, const std::vector<std::string>& rows);

  std::string url_;
  CopyTarget target_;
  std::vector<std::unique_ptr<Channel>> channels_;  // one per delivery thread
};

}  // namespace pend::sinks
