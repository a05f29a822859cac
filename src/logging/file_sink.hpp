// FileSink: one of the plan's daily rotating streams under LOG_DIR (winston-daily-rotate-file's
// behaviour): {name}-{YYYY-MM-DD}.log, then {name}-{YYYY-MM-DD}.1.log, .2.log... when a day's
// file reaches the size cap; a new day starts a new file; files whose date is older than the
// retention are deleted. Rotation is decided on write (UTC dates, from the injected clock);
// after a restart the day's numbering continues where it stopped.
//
//   FileSink errors({.dir = "logs", .name = "server-error", .level = Level::error,
//                    .max_bytes = 50 << 20, .retention_days = 90});
#pragma once

#include "logging/sink.hpp"

#include <sys/uio.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pend::logging {

struct FileSinkOptions {
  std::filesystem::path dir;
  std::string name;
  Level level = Level::info;
  Filter filter = Filter::all;
  std::uint64_t max_bytes = 100 << 20;
  unsigned retention_days = 30;
  std::function<std::chrono::system_clock::time_point()> clock;  // default: system_clock
};

class FileSink final : public Sink {
 public:
  explicit FileSink(FileSinkOptions options);  // creates dir; throws std::system_error
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void write(const RecordMeta& meta, std::string_view line) override;
  void flush() override;
  std::string_view name() const override { return options_.name; }

  std::filesystem::path current_path() const { return path_; }
  std::uint64_t write_failures() const { return write_failures_; }
  // Deletes this stream's files dated before today - retention; returns how many.
  std::size_t remove_expired();

 private:
  // Today's date (UTC); formatted again only once the clock passes the next midnight.
  const std::string& today();
  void open_for(const std::string& date);
  std::filesystem::path path_for(const std::string& date, unsigned part) const;

  FileSinkOptions options_;
  int fd_ = -1;
  std::string date_;  // of the open file
  std::string today_;
  std::chrono::system_clock::time_point next_midnight_{};
  unsigned part_ = 0;
  std::uint64_t bytes_ = 0;        // in the open file, pending lines included
  std::uint64_t released_to_ = 0;  // writeback started (and pages let go) up to here
  std::filesystem::path path_;
  std::vector<iovec> pending_;  // lines written since the last flush, still where they lie
  std::uint64_t write_failures_ = 0;
};

}  // namespace pend::logging
