#include "logging/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace pend::logging {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t length = 0;
  if (c >= 0xC2 && c <= 0xDF)
    length = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    length = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    length = 4;
  else
    return 0;
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points above U+10FFFF.
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (c == 0xED && byte(i + 1) > 0x9F) return 0;
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (c == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return length;
}

bool plain(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

// True when one of the 8 bytes of word needs more than copying: a control character, '"',
// '\\', DEL or a byte of a multi-byte sequence (which must be validated).
bool needs_care(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  return ((word - kOnes * 0x20) | word | has_zero(word ^ (kOnes * '"')) |
          has_zero(word ^ (kOnes * '\\')) | has_zero(word ^ (kOnes * 0x7F))) &
         kHigh;
}

// The length of the run of plain printable ASCII at the start of text: eight bytes at a
// time, since most values (ids, routes, addresses) are nothing else.
std::size_t plain_run(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (needs_care(word)) break;
  }
  while (i < text.size() && plain(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

char* write_escaped(char* p, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      return std::copy_n("\\\"", 2, p);
    case '\\':
      return std::copy_n("\\\\", 2, p);
    case '\n':
      return std::copy_n("\\n", 2, p);
    case '\r':
      return std::copy_n("\\r", 2, p);
    case '\t':
      return std::copy_n("\\t", 2, p);
    default:
      p = std::copy_n("\\u00", 4, p);
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 0xF];
      return p;
  }
}

}  // namespace

char* write_json_string(char* p, std::string_view value) {
  *p++ = '"';
  while (!value.empty()) {
    const std::size_t run = plain_run(value);
    std::memcpy(p, value.data(), run);
    p += run;
    value.remove_prefix(run);
    if (value.empty()) break;
    const auto c = static_cast<unsigned char>(value.front());
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(value, 0);
      if (length == 0) {
        p = std::copy_n("\\ufffd", 6, p);
        value.remove_prefix(1);
      } else {
        p = std::copy_n(value.data(), length, p);
        value.remove_prefix(length);
      }
      continue;
    }
    p = write_escaped(p, c);
    value.remove_prefix(1);
  }
  *p++ = '"';
  return p;
}

char* write_json_int(char* p, std::int64_t value) { return std::to_chars(p, p + 20, value).ptr; }

void LineBuffer::grow(std::size_t n) {
  const std::size_t capacity = std::max({std::size_t{1024}, capacity_ * 2, size_ + n});
  auto data = std::make_unique_for_overwrite<char[]>(capacity);
  if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

void append_json_string(LineBuffer& out, std::string_view value) {
  out.commit(write_json_string(out.room(json_string_room(value)), value));
}

void append_json_string(std::string& out, std::string_view value) {
  const std::size_t size = out.size();
  out.resize(size + json_string_room(value));
  out.resize(static_cast<std::size_t>(write_json_string(out.data() + size, value) - out.data()));
}

char* JsonLineWriter::begin_pair(std::string_view key, std::size_t value_room) {
  char* p = out_.room(json_string_room(key) + 2 + value_room);
  if (!first_) *p++ = ',';
  first_ = false;
  p = write_json_string(p, key);
  *p++ = ':';
  return p;
}

void JsonLineWriter::key(std::string_view key) { out_.commit(begin_pair(key, 0)); }

void JsonLineWriter::field(std::string_view key, std::string_view value) {
  char* p = begin_pair(key, json_string_room(value));
  out_.commit(write_json_string(p, value));
}

void JsonLineWriter::field(std::string_view key, std::int64_t value) {
  char* p = begin_pair(key, 24);
  out_.commit(std::to_chars(p, p + 24, value).ptr);
}

void JsonLineWriter::field(std::string_view key, double value) {
  char* p = begin_pair(key, 32);
  if (!std::isfinite(value)) {
    out_.commit(std::copy_n("null", 4, p));
    return;
  }
  out_.commit(std::to_chars(p, p + 32, value).ptr);
}

void JsonLineWriter::field_bool(std::string_view key, bool value) {
  char* p = begin_pair(key, 5);
  out_.commit(value ? std::copy_n("true", 4, p) : std::copy_n("false", 5, p));
}

void JsonLineWriter::raw_field(std::string_view key, std::string_view json) {
  char* p = begin_pair(key, json.size());
  std::memcpy(p, json.data(), json.size());
  out_.commit(p + json.size());
}

}  // namespace pend::logging
