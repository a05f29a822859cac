// Logger: structured JSON-line events, formatted by the caller's thread and written by one
// writer thread, so logging never blocks a request. Each logging thread has its own bounded
// lock-free ring (RecordRing) that the writer reads; when a ring is full, debug/info/trace
// entries are dropped and counted, warn and error go to an overflow queue instead (256 MiB;
// past that they are dropped and counted too). The
// process-wide handle is the one global STYLE.md allows.
//
//   logging::info("API", "SERVER_STARTED", "listening", {{"port", 8080}});
//   logging::error("API", "UNHANDLED_EXCEPTION", e.what(), {{"request_id", id}});
#pragma once

#include "logging/json_writer.hpp"
#include "logging/record.hpp"
#include "logging/record_ring.hpp"
#include "logging/sink.hpp"
#include "util/per_thread.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

namespace pend::logging {

struct Field {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view{v}) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view{v}) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(std::int64_t{v}) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::int64_t{v}) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}

  std::string_view key;
  Value value;
};

struct LoggerOptions {
  Level level = Level::info;
  std::string version;
  std::string environment;
  std::string server_instance = "local";
  // Where entries go. Empty: JSON lines to fd.
  std::vector<std::unique_ptr<Sink>> sinks;
  int fd = 2;
  std::size_t ring_bytes = 2 * 1024 * 1024;  // per logging thread
  std::size_t max_data_bytes = 4096;         // request_data / response_data / metadata, each
};

struct Entry;

class Logger {
 public:
  explicit Logger(LoggerOptions options);
  ~Logger();  // drains the queue, then stops the writer
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool enabled(Level level) const {
    return static_cast<std::uint8_t>(level) <= level_.load(std::memory_order_relaxed);
  }
  void set_level(Level level) { level_.store(static_cast<std::uint8_t>(level)); }

  void log(Level level, std::string_view category, std::string_view event_type,
           std::string_view message, std::initializer_list<Field> fields = {});
  // A typed entry (logging/entry.hpp): the server_logs columns, data redacted and truncated.
  void log(const Entry& entry);

  // The plan's addMeta: a field every entry carries from now on. Call before serving: it is
  // not synchronised with logging threads.
  void add_default_field(std::string_view key, std::string_view value);

  // Formats the envelope every entry shares ("@timestamp" .. "process_id") into line (which
  // is cleared first, and starts with room for the record header) and leaves the object
  // open; the caller appends fields and submits.
  void begin_line(LineBuffer& line, Level level, std::string_view message) const;
  // Hands a line begun with begin_line (no trailing newline) to the writer; line is scratch
  // afterwards.
  void submit(const RecordMeta& meta, LineBuffer& line);

  // A per-thread scratch buffer for building lines without allocating.
  static LineBuffer& scratch();

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // The sinks, fixed at construction (their figures may be read from any thread).
  const std::vector<std::unique_ptr<Sink>>& sinks() const { return sinks_; }
  void flush();  // returns once everything submitted before the call is written

 private:
  void run_writer();
  void deliver(std::string_view records);
  void report_drops();  // the writer's warning that entries were dropped

  static constexpr std::chrono::seconds kDropReportInterval{10};
  static constexpr std::chrono::milliseconds kPassInterval{5};
  static constexpr std::size_t kBusyPass = 1024 * 1024;  // bytes read in one pass
  // What the overflow queue may hold: past it (a writer that has stopped making progress),
  // warn and error are dropped and counted too, rather than growing until the OOM killer
  // takes the process and everything it holds.
  static constexpr std::size_t kMaxOverflow = 256 * 1024 * 1024;
  LoggerOptions options_;
  // ,"service":...,"process_id":N and the default fields, precomputed
  LineBuffer envelope_tail_;
  std::atomic<std::uint8_t> level_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> write_cycles_{0};  // completed drain-and-write passes
  std::atomic<bool> stopping_{false};
  util::PerThread<RecordRing> rings_;  // one per logging thread
  // warn and error that found their ring full, taken by the writer next (up to kMaxOverflow).
  std::mutex overflow_mutex_;
  std::string overflow_;
  std::vector<std::unique_ptr<Sink>> sinks_;  // the writer thread's alone
  std::uint64_t reported_drops_ = 0;          // writer thread
  LineBuffer notice_;                         // writer thread: its LOG_ENTRIES_DROPPED record
  std::chrono::steady_clock::time_point last_drop_report_{};
  std::thread writer_;
};

// Now as "2026-11-24T23:40:44.123Z" (UTC, milliseconds), the entries' @timestamp.
void append_utc_timestamp(LineBuffer& out);

// The process-wide logger; null until the application sets it (then lines go to stderr
// synchronously, which is what tools and unit tests want).
void set_global(Logger* logger);
Logger* global();

void log(Level level, std::string_view category, std::string_view event_type,
         std::string_view message, std::initializer_list<Field> fields = {});

inline void error(std::string_view category, std::string_view event_type, std::string_view message,
                  std::initializer_list<Field> fields = {}) {
  log(Level::error, category, event_type, message, fields);
}
inline void warn(std::string_view category, std::string_view event_type, std::string_view message,
                 std::initializer_list<Field> fields = {}) {
  log(Level::warn, category, event_type, message, fields);
}
inline void info(std::string_view category, std::string_view event_type, std::string_view message,
                 std::initializer_list<Field> fields = {}) {
  log(Level::info, category, event_type, message, fields);
}
inline void debug(std::string_view category, std::string_view event_type, std::string_view message,
                  std::initializer_list<Field> fields = {}) {
  log(Level::debug, category, event_type, message, fields);
}

}  // namespace pend::logging
