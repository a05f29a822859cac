#include "logging/logger.hpp"

#include "logging/json_writer.hpp"

#include <boost/lockfree/queue.hpp>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace pend::logging {
namespace {

std::atomic<Logger*> g_logger{nullptr};

struct Entry {
  Level level;
  std::string line;
};

void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t seconds = ms.count() / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  out.append(buffer, n);
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

struct Logger::Queue {
  explicit Queue(std::size_t capacity) : entries(capacity) {}
  boost::lockfree::queue<Entry*> entries;
};

Logger::Logger(LoggerOptions options)
    : options_(std::move(options)),
      level_(static_cast<std::uint8_t>(options_.level)),
      queue_(std::make_unique<Queue>(options_.queue_capacity)) {
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

std::string Logger::begin_line(Level level, std::string_view message) const {
  std::string line;
  line.reserve(384);
  line += "{\"@timestamp\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"";
  line += to_string(level);
  line += "\",\"message\":";
  append_json_string(line, message);
  line += envelope_tail_;
  return line;
}

void Logger::log(Level level, std::string_view category, std::string_view event_type,
                 std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line = begin_line(level, message);
  line += ",\"category\":";
  append_json_string(line, category);
  line += ",\"event_type\":";
  append_json_string(line, event_type);
  append_fields(line, fields);
  line += '}';
  submit(level, std::move(line));
}

void Logger::submit(Level level, std::string line) {
  line += '\n';
  auto* entry = new Entry{level, std::move(line)};
  submitted_.fetch_add(1, std::memory_order_relaxed);
  if (queue_->entries.bounded_push(entry)) return;
  submitted_.fetch_sub(1, std::memory_order_relaxed);
  if (level <= Level::warn) {
    write_all(entry->line);  // warn and error are never dropped
  } else {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  delete entry;
}

void Logger::run_writer() {
  std::string batch;
  batch.reserve(64 * 1024);
  while (true) {
    std::uint64_t count = 0;
    Entry* entry = nullptr;
    while (batch.size() < 256 * 1024 && queue_->entries.pop(entry)) {
      batch += entry->line;
      delete entry;
      ++count;
    }
    if (count > 0) {
      write_all(batch);
      batch.clear();
      written_.fetch_add(count, std::memory_order_release);
      continue;
    }
    if (stopping_.load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
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
  const auto target = submitted_.load(std::memory_order_relaxed);
  while (written_.load(std::memory_order_acquire) < target) {
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
