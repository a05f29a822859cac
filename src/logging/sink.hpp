// Sink: where the writer thread delivers entries. Each sink has its own level and filter;
// write() is called for every entry it accepts, flush() after each pass of the writer.
// Sinks run on the writer thread only.
#pragma once

#include "logging/record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::logging {

// Which entries a sink takes beyond its level (the plan's file streams).
enum class Filter : std::uint8_t {
  all,
  performance,  // category PERFORMANCE or a response time
  security,     // category SECURITY or an event type naming SECURITY
};

class Sink {
 public:
  Sink(Level level, Filter filter, RecordKind kind = RecordKind::log)
      : level_(level), filter_(filter), kind_(kind) {}
  virtual ~Sink() = default;

  bool accepts(const RecordMeta& meta) const {
    if (meta.kind != kind_) return false;  // a log sink never sees an api_metrics row
    if (static_cast<std::uint8_t>(meta.level) > static_cast<std::uint8_t>(level_)) return false;
    switch (filter_) {
      case Filter::all:
        return true;
      case Filter::performance:
        return meta.performance;
      case Filter::security:
        return meta.security;
    }
    return true;
  }
  // line: one JSON object and its newline. It stays valid until the next flush(), so a sink
  // may keep the view instead of copying (the file streams write straight from the rings).
  virtual void write(const RecordMeta& meta, std::string_view line) = 0;
  virtual void flush() = 0;
  virtual std::string_view name() const = 0;

 private:
  Level level_;
  Filter filter_;
  RecordKind kind_;
};

// One entry of log.sinks:
//   console LEVEL FORMAT                          FORMAT: json, human or auto (human on a tty)
//   file NAME LEVEL FILTER MAX_SIZE RETENTION     e.g. file server-error error all 50MB 90d
//   postgres LEVEL                                server_logs in database.url
struct SinkSpec {
  enum class Kind : std::uint8_t { console, file, postgres };
  enum class Format : std::uint8_t { json, human, automatic };
  Kind kind = Kind::console;
  Level level = Level::trace;
  Filter filter = Filter::all;
  Format format = Format::automatic;  // console
  std::string name;                   // file: the stream's name, before -%DATE%
  std::uint64_t max_bytes = 0;        // file: size cap within a day
  unsigned retention_days = 0;        // file: files older than this are deleted
};

std::optional<SinkSpec> parse_sink_spec(std::string_view text, std::string* error);

}  // namespace pend::logging
