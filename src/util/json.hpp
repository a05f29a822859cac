// JSON text, written one way for responses, log lines and stored values:
// - strings escaped so that no input breaks a line or a viewer: C0 and C1 controls, DEL,
//   U+2028/U+2029 and the bidirectional controls (U+202A-U+202E, U+2066-U+2069) become \u
//   escapes, invalid UTF-8 (lone surrogates included) becomes U+FFFD;
// - numbers as people write them: 0.7, 10.98, 0, 1e+21 (shortest round trip), never 1E0;
//   NaN and infinities (which JSON has no word for) as null.
//
//   std::string body = util::json::serialize(value);
//   char* p = util::json::write_string(buffer, text);  // needs string_room(text) bytes
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pend::util::json {

// The most bytes write_string can write for value (quotes included).
constexpr std::size_t string_room(std::string_view value) { return value.size() * 6 + 2; }
char* write_string(char* p, std::string_view value);
// A double; needs 32 bytes.
char* write_number(char* p, double value);
char* write_number(char* p, std::int64_t value);  // needs 20 bytes
char* write_number(char* p, std::uint64_t value);

void append_string(std::string& out, std::string_view value);
// The same escapes without quotes, and with '"' and '\\' as they are: text for a terminal.
void append_printable(std::string& out, std::string_view text);
void append(std::string& out, const boost::json::value& value);
std::string serialize(const boost::json::value& value);

}  // namespace pend::util::json
