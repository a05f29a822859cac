#include "logging/logger.hpp"

#include "logging/console_sink.hpp"
#include "logging/entry.hpp"
#include "logging/json_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <vector>

namespace pend::logging {
namespace {

std::atomic<Logger*> g_logger{nullptr};

// "2026-11-24T23:40:44.123Z". The part up to the seconds is formatted once per second per
// thread; the milliseconds are appended by hand.
void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t seconds = ms.count() / 1000;
  thread_local std::time_t cached_second = -1;
  thread_local char cached[24];
  thread_local std::size_t cached_length = 0;
  if (seconds != cached_second) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    cached_length = std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = seconds;
  }
  out.append(cached, cached_length);
  const auto millis = static_cast<int>(ms.count() % 1000);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

// ,"category":..,"event_type":..,<fields>} closing an entry.
void append_event(std::string& line, std::string_view category, std::string_view event_type,
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
  line += '}';
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
      rings_([bytes = options_.ring_bytes] { return std::make_unique<ByteRing>(bytes); }),
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
  writer_ = std::thread([this] { run_writer(); });
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

std::string& Logger::scratch() {
  thread_local std::string line;
  return line;
}

void Logger::begin_line(std::string& line, Level level, std::string_view message) const {
  line.assign(kRecordHeader, '\0');  // filled in by submit()
  line += "{\"@timestamp\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"";
  line += to_string(level);
  line += "\",\"message\":";
  append_json_string(line, message);
  line += envelope_tail_;
}

void Logger::log(Level level, std::string_view category, std::string_view event_type,
                 std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string& line = scratch();
  begin_line(line, level, message);
  append_event(line, category, event_type, fields);
  submit(meta_of(level, category, event_type, fields), line);
}

void Logger::submit(const RecordMeta& meta, std::string& line) {
  encode_header(line.data(), meta, static_cast<std::uint32_t>(line.size() - kRecordHeader));
  if (rings_.local().try_write(line)) return;
  if (meta.level <= Level::warn) {
    std::lock_guard lock(overflow_mutex_);  // warn and error are never dropped
    overflow_ += line;
  } else {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Logger::deliver(std::string_view records) {
  while (records.size() >= kRecordHeader) {
    std::uint32_t length = 0;
    const RecordMeta meta = decode_header(records.data(), length);
    if (records.size() < kRecordHeader + length) break;  // cannot happen: writes are whole
    const std::string_view line = records.substr(kRecordHeader, length);
    for (const auto& sink : sinks_) {
      if (sink->accepts(meta)) sink->write(meta, line);
    }
    records.remove_prefix(kRecordHeader + length);
  }
  for (const auto& sink : sinks_) sink->flush();
}

void Logger::report_drops() {
  // Once per interval at most, and only when something was dropped since the last report.
  const auto now = std::chrono::steady_clock::now();
  const auto dropped = dropped_.load(std::memory_order_relaxed);
  if (dropped == reported_drops_ || now - last_drop_report_ < kDropReportInterval) return;
  std::string line;
  begin_line(line, Level::warn, "log entries dropped: the log queue was full");
  append_event(line, "GENERAL", "LOG_ENTRIES_DROPPED",
               {{"dropped", dropped - reported_drops_}, {"dropped_total", dropped}});
  const RecordMeta meta{Level::warn, Category::general, false, false};
  encode_header(line.data(), meta, static_cast<std::uint32_t>(line.size() - kRecordHeader));
  deliver(line);
  reported_drops_ = dropped;
  last_drop_report_ = now;
}

void Logger::run_writer() {
  std::string batch;
  batch.reserve(256 * 1024);
  while (true) {
    const bool stopping = stopping_.load();
    batch.clear();
    rings_.for_each([&](ByteRing& ring) { ring.drain(batch); });
    {
      std::lock_guard lock(overflow_mutex_);
      batch += overflow_;
      overflow_.clear();
    }
    if (!batch.empty()) {
      deliver(batch);
    } else {
      // Idle: sinks that batch by time (PostgreSQL's 5 s) still get their chance.
      for (const auto& sink : sinks_) sink->flush();
    }
    report_drops();
    write_cycles_.fetch_add(1, std::memory_order_release);
    if (stopping) return;
    if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Logger::flush() {
  // Everything submitted before this call has been drained, and a write pass that started
  // after the drain has completed.
  std::vector<std::pair<const ByteRing*, std::uint64_t>> marks;
  rings_.for_each([&](const ByteRing& ring) { marks.emplace_back(&ring, ring.written()); });
  for (const auto& [ring, mark] : marks) {
    while (ring->drained() < mark) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto cycle = write_cycles_.load(std::memory_order_acquire);
  while (write_cycles_.load(std::memory_order_acquire) < cycle + 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
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
  std::string line = "{\"level\":\"" + std::string{to_string(level)} + "\",\"message\":";
  append_json_string(line, message);
  append_event(line, category, event_type, fields);
  line += '\n';
  [[maybe_unused]] const auto n = ::write(2, line.data(), line.size());
}

}  // namespace pend::logging
