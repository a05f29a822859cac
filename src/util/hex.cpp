#include "util/hex.hpp"

namespace pend::util {

char* write_hex(char* out, std::span<const std::uint8_t> bytes) {
  for (const std::uint8_t byte : bytes) {
    *out++ = kHexDigits[byte >> 4];
    *out++ = kHexDigits[byte & 0xF];
  }
  return out;
}

char* write_hex(char* out, std::uint64_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    *out++ = kHexDigits[(value >> shift) & 0xF];
  }
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  write_hex(out.data(), bytes);
  return out;
}

std::string to_hex(std::string_view bytes) {
  return to_hex(std::span{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

std::string to_prefixed_hex(std::span<const std::uint8_t> bytes) {
  std::string out(2 + bytes.size() * 2, '\0');
  out[0] = '0';
  out[1] = 'x';
  write_hex(out.data() + 2, bytes);
  return out;
}

namespace {

std::string_view without_prefix(std::string_view text, bool& had_prefix) {
  had_prefix = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  return had_prefix ? text.substr(2) : text;
}

bool all_hex(std::string_view digits) {
  if (digits.empty()) return false;
  for (const char c : digits) {
    if (hex_value(c) < 0) return false;
  }
  return true;
}

}  // namespace

bool is_hex(std::string_view text, bool prefixed) {
  bool had_prefix = false;
  const auto digits = prefixed ? without_prefix(text, had_prefix) : text;
  return (!prefixed || had_prefix) && all_hex(digits);
}

bool is_hex(std::string_view text, std::size_t digits, bool prefixed) {
  return text.size() == digits + (prefixed ? 2 : 0) && is_hex(text, prefixed);
}

std::optional<std::string> from_hex(std::string_view text) {
  bool had_prefix = false;
  const auto digits = without_prefix(text, had_prefix);
  if (digits.size() % 2 != 0) return std::nullopt;
  std::string out(digits.size() / 2, '\0');
  if (!from_hex(digits, std::span{reinterpret_cast<std::uint8_t*>(out.data()), out.size()})) {
    return std::nullopt;
  }
  return out;
}

bool from_hex(std::string_view text, std::span<std::uint8_t> out) {
  bool had_prefix = false;
  const auto digits = without_prefix(text, had_prefix);
  if (digits.size() != out.size() * 2) return false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_value(digits[2 * i]);
    const int low = hex_value(digits[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

std::string lower_hex(std::string_view text) {
  std::string out{text};
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace pend::util
