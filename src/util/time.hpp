// RFC 3339 timestamps, the API's one time format: UTC, "Z", milliseconds by default
// ("2026-12-04T19:43:17.123Z"). Microseconds where a value must survive a round trip through
// PostgreSQL exactly (COPY text, the log's server_logs rows).
//
//   util::format_rfc3339(std::chrono::system_clock::now())          // milliseconds
//   util::format_rfc3339(stamp, util::TimePrecision::microseconds)  // ...17.123456Z
//   std::optional<util::Microseconds> t = util::parse_rfc3339("2026-12-04T19:43:17+01:00");
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::util {

using Microseconds = std::chrono::sys_time<std::chrono::microseconds>;

enum class TimePrecision : std::uint8_t { seconds, milliseconds, microseconds };

// Writes into out (at least 32 bytes); returns the end.
char* write_rfc3339(char* out, Microseconds at,
                    TimePrecision precision = TimePrecision::milliseconds);
std::string format_rfc3339(Microseconds at, TimePrecision precision = TimePrecision::milliseconds);
std::string format_rfc3339(std::chrono::system_clock::time_point at,
                           TimePrecision precision = TimePrecision::milliseconds);
// Unix milliseconds, as Redis hashes keep them.
std::string format_unix_ms(std::int64_t unix_ms);

// RFC 3339 date-time: YYYY-MM-DD, "T" (or "t", or a space as PostgreSQL writes it), HH:MM:SS,
// an optional fraction (digits past microseconds are dropped), and "Z" or +hh:mm / -hh:mm.
// Leap seconds (:60) are refused. nullopt when the text is not that.
std::optional<Microseconds> parse_rfc3339(std::string_view text);

// "2026-12-04", for file names that rotate by day.
std::string format_date(std::chrono::system_clock::time_point at);

}  // namespace pend::util
