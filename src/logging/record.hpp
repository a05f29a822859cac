// What the writer thread knows of an entry without parsing it: its level, category and the
// two marks the plan's file streams filter on. Entries travel through the rings framed as
// an 8-byte header (length, level, category, flags) followed by the JSON line.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pend::logging {

enum class Level : std::uint8_t { error, warn, info, debug, trace };

std::optional<Level> parse_level(std::string_view name);  // "error" .. "trace"
std::string_view to_string(Level level);                  // "ERROR" .. "TRACE"

enum class Category : std::uint8_t {
  api,
  blockchain,
  auth,
  kyc,
  admin,
  security,
  performance,
  business,
  general,
  other,  // a category outside the plan's list
};

Category parse_category(std::string_view name);  // "API" .. "GENERAL"; other otherwise

inline constexpr std::uint32_t kSkipLength = 0xFFFFFFFF;

// What a record is. Log entries go to the log sinks; the other kinds travel the same
// pipeline (rings, writer thread, batching and spool) to the one sink that takes them.
enum class RecordKind : std::uint8_t {
  log,
  api_metric,  // an api_metrics row (middleware/api_metrics.hpp)
};

struct RecordMeta {
  Level level = Level::info;
  Category category = Category::general;
  bool performance = false;  // category PERFORMANCE, or the entry has a response time
  bool security = false;     // category SECURITY, or an event type naming SECURITY
  RecordKind kind = RecordKind::log;
};

// A record: the 8-byte header, the body (one JSON line and its newline), then zero bytes up
// to a multiple of kRecordAlign, so that records packed one after another stay aligned.
inline constexpr std::size_t kRecordHeader = 8;
inline constexpr std::size_t kRecordAlign = 8;

constexpr std::size_t record_size(std::size_t body_length) {
  return (kRecordHeader + body_length + kRecordAlign - 1) & ~(kRecordAlign - 1);
}

// Writes the header for a body of body_length bytes into header[0..8).
void encode_header(char* header, const RecordMeta& meta, std::uint32_t body_length);
// Reads a header; the body follows it.
RecordMeta decode_header(const char* header, std::uint32_t& body_length);
// A header that means "nothing more before the end of this buffer" (RecordRing).
void encode_skip(char* header);

// Calls f(meta, body) for each record in records (packed records, as a ring or the
// overflow queue holds them), stopping at a skip marker.
template <typename F>
void for_each_record(std::string_view records, F&& f) {
  while (records.size() >= kRecordHeader) {
    std::uint32_t length = 0;
    const RecordMeta meta = decode_header(records.data(), length);
    if (length == kSkipLength || records.size() < record_size(length)) return;
    f(meta, records.substr(kRecordHeader, length));
    records.remove_prefix(record_size(length));
  }
}

}  // namespace pend::logging
