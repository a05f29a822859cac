#include "logging/logger.hpp"

#include "logging/console_sink.hpp"
#include "logging/entry.hpp"
#include "logging/json_writer.hpp"
#include "util/thread_name.hpp"
#include "util/time.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <vector>

namespace pend::logging {
namespace {

std::atomic<Logger*> g_logger{nullptr};

// ,"category":..,"event_type":..,<fields>} closing an entry.
void append_event(LineBuffer& line, std::string_view category, std::string_view event_type,
                  std::initializer_list<Field> fields) {
  JsonLineWriter writer(line, /*continues=*/true);
  writer.field("category", category);
  writer.field("event_type", event_type);
  for (const auto& field : fields) {
    if (is_secret_field(field.key)) {  // the same names Entry data is redacted by
      writer.field(field.key, std::string_view{"[REDACTED]"});
      continue;
    }
    std::visit(
        [&](const auto& value) {
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, bool>) {
            writer.field_bool(field.key, value);
          } else {
            writer.field(field.key, value);
          }
        },
        field.value);
  }
  line.append('}');
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "error") return Level::error;
  if (name == "warn") return Level::warn;
  if (name == "info") return Level::info;
  if (name == "debug") return Level::debug;
  if (name == "trace") return Level::trace;
  return std::nullopt;
}

// What the writer must know of an entry made through log().
RecordMeta meta_of(Level level, std::string_view category, std::string_view event_type,
                   std::initializer_list<Field> fields) {
  RecordMeta meta{level, parse_category(category), false, false};
  meta.performance = meta.category == Category::performance;
  for (const auto& field : fields) {
    if (field.key == "response_time_ms") meta.performance = true;
  }
  meta.security =
      meta.category == Category::security || event_type.find("SECURITY") != std::string_view::npos;
  return meta;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::error:
      return "ERROR";
    case Level::warn:
      return "WARN";
    case Level::info:
      return "INFO";
    case Level::debug:
      return "DEBUG";
    case Level::trace:
      return "TRACE";
  }
  return "INFO";
}

Logger::Logger(LoggerOptions options)
    : options_(std::move(options)),
      level_(static_cast<std::uint8_t>(options_.level)),
      rings_([bytes = options_.ring_bytes] { return std::make_unique<RecordRing>(bytes); }),
      sinks_(std::move(options_.sinks)) {
  if (sinks_.empty()) {
    sinks_.push_back(
        std::make_unique<ConsoleSink>(options_.fd, Level::trace, SinkSpec::Format::json));
  }
  JsonLineWriter tail(envelope_tail_, /*continues=*/true);
  tail.field("service", "pend-server");
  tail.field("version", options_.version);
  tail.field("environment", options_.environment);
  tail.field("server_instance", options_.server_instance);
  tail.field("process_id", static_cast<std::int64_t>(::getpid()));
  writer_ = std::thread([this] {
    util::name_this_thread("pend-log-writer");
    util::make_this_thread_background();
    run_writer();
  });
}

Logger::~Logger() {
  flush();
  stopping_.store(true);
  writer_.join();
  if (global() == this) set_global(nullptr);
}

void Logger::add_default_field(std::string_view key, std::string_view value) {
  JsonLineWriter out(envelope_tail_, /*continues=*/true);  // every entry's envelope
  out.field(key, value);
}

LineBuffer& Logger::scratch() {
  thread_local LineBuffer line;
  return line;
}

void Logger::begin_line(LineBuffer& line, Level level, std::string_view message) const {
  line.resize(kRecordHeader);  // filled in by submit()
  line.append("{\"@timestamp\":\"");
  append_utc_timestamp(line);
  line.append("\",\"level\":\"");
  line.append(to_string(level));
  line.append("\",\"message\":");
  append_json_string(line, message);
  line.append(envelope_tail_.view());
}

void Logger::log(Level level, std::string_view category, std::string_view event_type,
                 std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  LineBuffer& line = scratch();
  begin_line(line, level, message);
  append_event(line, category, event_type, fields);
  submit(meta_of(level, category, event_type, fields), line);
}

namespace {

// Ends a line begun with begin_line as a record: the newline, the padding, the header.
void finish_record(const RecordMeta& meta, LineBuffer& line) {
  line.append('\n');
  const std::size_t body = line.size() - kRecordHeader;
  const std::size_t size = record_size(body);
  char* padding = line.room(size - line.size());
  std::memset(padding, 0, size - line.size());
  line.commit(padding + (size - line.size()));
  encode_header(line.data(), meta, static_cast<std::uint32_t>(body));
}

}  // namespace

void Logger::submit(const RecordMeta& meta, LineBuffer& line) {
  finish_record(meta, line);
  if (rings_.local().try_push(line.view())) return;
  if (meta.level <= Level::warn) {
    std::lock_guard lock(overflow_mutex_);  // warn and error wait for the writer
    if (overflow_.size() + line.size() <= kMaxOverflow) {
      overflow_ += line.view();
      return;
    }
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
}

void Logger::deliver(std::string_view records) {
  for_each_record(records, [&](const RecordMeta& meta, std::string_view line) {
    for (const auto& sink : sinks_) {
      if (sink->accepts(meta)) sink->write(meta, line);
    }
  });
}

void Logger::report_drops() {
  // Once per interval at most, and only when something was dropped since the last report.
  notice_.clear();
  const auto now = std::chrono::steady_clock::now();
  const auto dropped = dropped_.load(std::memory_order_relaxed);
  if (dropped == reported_drops_ || now - last_drop_report_ < kDropReportInterval) return;
  begin_line(notice_, Level::warn, "log entries dropped: the log queue was full");
  append_event(notice_, "GENERAL", "LOG_ENTRIES_DROPPED",
               {{"dropped", dropped - reported_drops_}, {"dropped_total", dropped}});
  finish_record({Level::warn, Category::general, false, false}, notice_);
  deliver(notice_.view());
  reported_drops_ = dropped;
  last_drop_report_ = now;
}

void Logger::run_writer() {
  // Each pass hands the sinks the records where they lie in the rings, flushes the sinks
  // (the file streams write straight from the rings), and only then releases the records.
  std::vector<std::pair<RecordRing*, std::size_t>> taken;
  std::string overflow;
  while (true) {
    const bool stopping = stopping_.load();
    taken.clear();
    std::size_t bytes = 0;
    rings_.for_each([&](RecordRing& ring) {
      const std::string_view records = ring.peek();
      if (records.empty()) return;
      deliver(records);
      taken.emplace_back(&ring, records.size());
      bytes += records.size();
    });
    overflow.clear();
    {
      std::lock_guard lock(overflow_mutex_);
      overflow.swap(overflow_);
    }
    deliver(overflow);
    report_drops();
    // Also when idle: sinks that batch by time (PostgreSQL's 5 s) get their chance.
    for (const auto& sink : sinks_) sink->flush();
    for (const auto& [ring, size] : taken) ring->pop(size);
    write_cycles_.fetch_add(1, std::memory_order_release);
    if (stopping) return;
    // A pause between passes, also after a busy one: each pass then writes hundreds of
    // entries with one write per sink, instead of a few entries per system call. Only when
    // the rings filled fast (a burst) does the next pass start at once.
    if (bytes + overflow.size() < kBusyPass) std::this_thread::sleep_for(kPassInterval);
  }
}

void Logger::flush() {
  // Everything submitted before this call has been written and released, and a write pass
  // that started after that has completed (the overflow queue's entries with it).
  std::vector<std::pair<const RecordRing*, std::uint64_t>> marks;
  rings_.for_each([&](const RecordRing& ring) { marks.emplace_back(&ring, ring.written()); });
  for (const auto& [ring, mark] : marks) {
    while (ring->drained() < mark) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto cycle = write_cycles_.load(std::memory_order_acquire);
  while (write_cycles_.load(std::memory_order_acquire) < cycle + 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// "2026-11-24T23:40:44.123Z" (util/time.hpp's format). The part up to the seconds is
// formatted once per second per thread; the milliseconds are appended by hand.
void append_utc_timestamp(LineBuffer& out) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::int64_t seconds = ms.count() / 1000;
  thread_local std::int64_t cached_second = -1;
  thread_local char cached[32];
  thread_local std::size_t cached_length = 0;
  if (seconds != cached_second) {
    const char* end = util::write_rfc3339(cached, util::Microseconds{std::chrono::seconds{seconds}},
                                          util::TimePrecision::seconds);
    cached_length = static_cast<std::size_t>(end - cached) - 1;  // without the Z
    cached_second = seconds;
  }
  char* p = out.room(cached_length + 5);
  p = std::copy_n(cached, cached_length, p);
  const auto millis = static_cast<int>(ms.count() % 1000);
  *p++ = '.';
  *p++ = static_cast<char>('0' + millis / 100);
  *p++ = static_cast<char>('0' + millis / 10 % 10);
  *p++ = static_cast<char>('0' + millis % 10);
  *p++ = 'Z';
  out.commit(p);
}

void set_global(Logger* logger) { g_logger.store(logger); }
Logger* global() { return g_logger.load(std::memory_order_relaxed); }

void log(Level level, std::string_view category, std::string_view event_type,
         std::string_view message, std::initializer_list<Field> fields) {
  if (Logger* logger = global()) {
    logger->log(level, category, event_type, message, fields);
    return;
  }
  // No logger yet (tools, unit tests): the same line, written synchronously.
  LineBuffer line;
  line.append("{\"level\":\"");
  line.append(to_string(level));
  line.append("\",\"message\":");
  append_json_string(line, message);
  append_event(line, category, event_type, fields);
  line.append('\n');
  [[maybe_unused]] const auto n = ::write(2, line.data(), line.size());
}

}  // namespace pend::logging
