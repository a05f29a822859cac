#include "logging/logger.hpp"

#include "logging/json_writer.hpp"

#include "logging/byte_ring.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <mutex>
#include <vector>

namespace pend::logging {
namespace {

std::atomic<Logger*> g_logger{nullptr};
std::atomic<std::uint64_t> g_next_logger_id{1};

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

void append_fields(std::string& line, std::initializer_list<Field> fields) {
  JsonLineWriter writer(line, /*continues=*/true);
  for (const auto& field : fields) {
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

// The rings of every thread that logged through this logger. A thread registers once (under
// the mutex); afterwards its writes touch only its own ring.
class Logger::ByteRingSet {
 public:
  explicit ByteRingSet(std::size_t ring_bytes)
      : id_(g_next_logger_id.fetch_add(1)), ring_bytes_(ring_bytes) {}

  ByteRing& local() {
    struct CacheEntry {
      std::uint64_t owner;
      ByteRing* ring;
    };
    thread_local std::vector<CacheEntry> cache;
    for (const auto& entry : cache) {
      if (entry.owner == id_) return *entry.ring;
    }
    std::lock_guard lock(mutex_);
    rings_.push_back(std::make_unique<ByteRing>(ring_bytes_));
    cache.push_back({id_, rings_.back().get()});
    return *rings_.back();
  }

  // Drains every ring into out; returns the bytes moved.
  std::size_t drain(std::string& out) {
    std::lock_guard lock(mutex_);
    std::size_t moved = 0;
    for (auto& ring : rings_) moved += ring->drain(out);
    return moved;
  }

  // Bytes each ring had received by now, to wait for in flush().
  std::vector<std::pair<ByteRing*, std::uint64_t>> marks() {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<ByteRing*, std::uint64_t>> out;
    for (auto& ring : rings_) out.emplace_back(ring.get(), ring->written());
    return out;
  }

 private:
  const std::uint64_t id_;  // distinguishes loggers in the thread-local cache
  const std::size_t ring_bytes_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ByteRing>> rings_;
};

Logger::Logger(LoggerOptions options)
    : options_(std::move(options)),
      level_(static_cast<std::uint8_t>(options_.level)),
      rings_(std::make_unique<ByteRingSet>(options_.ring_bytes)) {
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

std::string& Logger::scratch() {
  thread_local std::string line;
  return line;
}

void Logger::begin_line(std::string& line, Level level, std::string_view message) const {
  line.clear();
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
  line += ",\"category\":";
  append_json_string(line, category);
  line += ",\"event_type\":";
  append_json_string(line, event_type);
  append_fields(line, fields);
  line += '}';
  submit(level, line);
}

void Logger::submit(Level level, std::string& line) {
  line += '\n';
  if (rings_->local().try_write(line)) return;
  if (level <= Level::warn) {
    write_all(line);  // warn and error are never dropped
  } else {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Logger::run_writer() {
  std::string batch;
  batch.reserve(256 * 1024);
  while (true) {
    const bool stopping = stopping_.load();
    batch.clear();
    if (rings_->drain(batch) > 0) write_all(batch);
    write_cycles_.fetch_add(1, std::memory_order_release);
    if (stopping) return;
    if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Logger::write_all(std::string_view data) const {
  while (!data.empty()) {
    const auto n = ::write(options_.fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing log destination
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Logger::flush() {
  // Everything submitted before this call has been drained, and a write pass that started
  // after the drain has completed.
  for (const auto& [ring, mark] : rings_->marks()) {
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
  line += ",\"category\":";
  append_json_string(line, category);
  line += ",\"event_type\":";
  append_json_string(line, event_type);
  append_fields(line, fields);
  line += "}\n";
  [[maybe_unused]] const auto n = ::write(2, line.data(), line.size());
}

}  // namespace pend::logging
