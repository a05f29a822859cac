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

struct RecordMeta {
  Level level = Level::info;
  Category category = Category::general;
  bool performance = false;  // category PERFORMANCE, or the entry has a response time
  bool security = false;     // category SECURITY, or an event type naming SECURITY
};

inline constexpr std::size_t kRecordHeader = 8;

// Writes the header for a JSON body of body_length bytes into header[0..8).
void encode_header(char* header, const RecordMeta& meta, std::uint32_t body_length);
// Reads a header; the body follows it.
RecordMeta decode_header(const char* header, std::uint32_t& body_length);

}  // namespace pend::logging
