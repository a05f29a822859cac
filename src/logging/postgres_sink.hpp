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

#include "logging/batch_sink.hpp"

#include <memory>
#include <string>

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

class PostgresSink final : public BatchSink {
 public:
  explicit PostgresSink(PostgresSinkOptions options);
  ~PostgresSink() override;  // delivers or spools what is pending

  // One log line as a server_logs row (JSON), for tests: id given, fields mapped to columns,
  // values the table would refuse dropped, the rest (message included) in metadata.
  static std::string row_of(std::string_view line);

 private:
  std::string to_row(std::string_view line) override { return row_of(line); }
  bool copy(const std::vector<std::string>& rows);
  bool insert(const std::vector<std::string>& rows);
  bool deliver(const std::vector<std::string>& rows, bool replay) override;

  std::string url_;
  std::unique_ptr<db::BlockingSession> session_;  // delivery thread
};

}  // namespace pend::logging
