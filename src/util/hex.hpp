// Hexadecimal text: the one table of digits, encoding bytes and integers, decoding, checks.
//
//   util::to_hex(digest)                    // "9f86d0..." (lowercase)
//   util::is_hex("0xAbC", /*prefixed=*/true) // true
//   auto bytes = util::from_hex("deadbeef"); // std::optional<std::string> of 4 bytes
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pend::util {

inline constexpr char kHexDigits[] = "0123456789abcdef";

// 2 * bytes.size() lowercase digits into out; returns the end.
char* write_hex(char* out, std::span<const std::uint8_t> bytes);
// The low `digits` hex digits of value, most significant first.
char* write_hex(char* out, std::uint64_t value, int digits);

std::string to_hex(std::span<const std::uint8_t> bytes);
std::string to_hex(std::string_view bytes);
// "0x" followed by the lowercase digits.
std::string to_prefixed_hex(std::span<const std::uint8_t> bytes);

// 0-15 for a hex digit of either case, -1 otherwise.
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Non-empty and only hex digits (either case). With prefixed, a leading "0x" or "0X" is
// required and not counted.
bool is_hex(std::string_view text, bool prefixed = false);
// The same with an exact number of digits (not counting the prefix).
bool is_hex(std::string_view text, std::size_t digits, bool prefixed);

// The bytes an even number of hex digits stand for (an optional 0x prefix is skipped);
// nullopt when the text is not that.
std::optional<std::string> from_hex(std::string_view text);
// Decodes exactly out.size() bytes; false (out unspecified) otherwise.
bool from_hex(std::string_view text, std::span<std::uint8_t> out);

// The text with A-F lowered (other characters as they are).
std::string lower_hex(std::string_view text);

}  // namespace pend::util
