// LogRow: one log line (the JSON the logger writes, with the "id" the batch sink gave it)
// mapped onto the columns of server_logs, for the PostgreSQL sink. Columns take what fits
// them; a value the table would refuse (an address that is not one, a user id that is not
// a UUID, a method outside the CHECK) goes to metadata under its own name instead, and
// metadata also takes the message and every field without a column. Dropped: what is the
// same for every row of a process or is derived from a column (service, environment,
// process_id, the performance object's copy of the response time and its slow flags).
//
//   LogRowMapper mapper;
//   if (const LogRow* row = mapper.map(line)) encode(*row);   // valid until the next map()
#pragma once

#include "db/value.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pend::sinks {

struct LogRow {
  db::Uuid id;
  db::Timestamp timestamp;
  std::string_view level;       // lower case: error, warn, info, debug or trace
  std::string_view category;    // GENERAL when the line has none
  std::string_view event_type;  // LOG when the line has none
  std::optional<db::Uuid> user_id;
  std::optional<db::Uuid> admin_id;
  std::optional<std::string_view> session_id;
  std::optional<std::string_view> request_id;
  std::optional<std::string_view> correlation_id;
  std::optional<boost::asio::ip::address> ip_address;
  std::optional<std::string_view> user_agent;
  std::optional<std::string_view> endpoint;
  std::optional<std::string_view> method;
  std::optional<std::int32_t> status_code;
  std::optional<std::int32_t> response_time_ms;
  std::optional<std::int32_t> request_size_bytes;
  std::optional<std::int32_t> response_size_bytes;
  std::optional<std::string_view> error_code;
  std::optional<std::string_view> error_message;
  std::optional<std::string_view> error_stack;
  std::optional<std::string> request_data;   // JSON text
  std::optional<std::string> response_data;  // JSON text
  std::string metadata;                      // a JSON object's text
};

class LogRowMapper {
 public:
  LogRowMapper();
  // The row, or nullptr when the line cannot be one (not a JSON object, no valid "id" or
  // "@timestamp"), with the reason in *why. The row and its views live until the next call.
  const LogRow* map(std::string_view line, std::string* why = nullptr);

 private:
  // The parsed line's memory: a buffer reused for every line, and a resource made anew on it
  // for each (Boost 1.81's monotonic_resource::release() keeps doubling its next block).
  static constexpr std::size_t kBuffer = 32 * 1024;
  std::unique_ptr<unsigned char[]> buffer_;
  std::optional<boost::json::monotonic_resource> resource_;
  boost::json::parser parser_;
  std::optional<boost::json::value> entry_;  // the parsed line, which row_'s views point into
  std::deque<std::string> owned_;            // text cleaned of NUL bytes
  LogRow row_;
};

// The JSON text with every \u0000 escape removed: jsonb and text columns cannot hold NUL.
std::string without_nul_escapes(std::string json);
// The first max_chars characters of UTF-8 text (varchar(n) counts characters).
std::string_view prefix_chars(std::string_view text, std::size_t max_chars);
// "2026-11-25T16:46:14.372Z" (the logger's @timestamp; up to six fraction digits, 'T' or ' ',
// 'Z' or +00:00), or nullopt.
std::optional<db::Timestamp> parse_utc_timestamp(std::string_view text);

}  // namespace pend::sinks
