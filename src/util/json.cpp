#include "util/json.hpp"

#include "util/hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace pend::util::json {

namespace {

// Length of the valid UTF-8 sequence starting at s[0], or 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view s) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(0);
  std::size_t length = 0;
  if (c >= 0xC2 && c <= 0xDF)
    length = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    length = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    length = 4;
  else
    return 0;
  if (length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points above U+10FFFF.
  if (c == 0xE0 && byte(1) < 0xA0) return 0;
  if (c == 0xED && byte(1) > 0x9F) return 0;
  if (c == 0xF0 && byte(1) < 0x90) return 0;
  if (c == 0xF4 && byte(1) > 0x8F) return 0;
  return length;
}

// The code point of a valid 2- or 3-byte sequence.
unsigned code_point(std::string_view s, std::size_t length) {
  const auto b = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(s[k]));
  };
  if (length == 2) return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
  return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
}

// Valid characters that are still written as \u escapes: C1 controls, line and paragraph
// separators, and the bidirectional embedding, override and isolate controls (which can make
// a log line read differently from what it holds).
bool escaped_anyway(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

template <bool Json>
bool plain(unsigned char c) {
  return c >= 0x20 && c < 0x7F && (!Json || (c != '"' && c != '\\'));
}

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
template <bool Json>
std::size_t plain_run(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (needs_care(word)) break;
  }
  while (i < text.size() && plain<Json>(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

char* write_u_escape(char* p, unsigned cp) {
  p = std::copy_n("\\u", 2, p);
  return write_hex(p, cp, 4);
}

char* write_escaped(char* p, unsigned char c) {
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
      return write_u_escape(p, c);
  }
}

template <bool Json>
char* write_text(char* p, std::string_view value) {
  while (!value.empty()) {
    const std::size_t run = plain_run<Json>(value);
    std::memcpy(p, value.data(), run);
    p += run;
    value.remove_prefix(run);
    if (value.empty()) break;
    const auto c = static_cast<unsigned char>(value.front());
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(value);
      if (length == 0) {
        p = std::copy_n("\\ufffd", 6, p);
        value.remove_prefix(1);
        continue;
      }
      if (length <= 3) {
        const unsigned cp = code_point(value, length);
        if (escaped_anyway(cp)) {
          p = write_u_escape(p, cp);
          value.remove_prefix(length);
          continue;
        }
      }
      p = std::copy_n(value.data(), length, p);
      value.remove_prefix(length);
      continue;
    }
    if (!Json && (c == '"' || c == '\\')) {
      *p++ = static_cast<char>(c);
    } else {
      p = write_escaped(p, c);
    }
    value.remove_prefix(1);
  }
  return p;
}

}  // namespace

char* write_string(char* p, std::string_view value) {
  *p++ = '"';
  p = write_text<true>(p, value);
  *p++ = '"';
  return p;
}

void append_printable(std::string& out, std::string_view text) {
  const std::size_t size = out.size();
  out.resize(size + string_room(text));
  out.resize(static_cast<std::size_t>(write_text<false>(out.data() + size, text) - out.data()));
}

char* write_number(char* p, double value) {
  if (!std::isfinite(value)) return std::copy_n("null", 4, p);
  if (value == 0) return std::copy_n("0", 1, p);  // also -0
  return std::to_chars(p, p + 32, value).ptr;
}

char* write_number(char* p, std::int64_t value) { return std::to_chars(p, p + 20, value).ptr; }
char* write_number(char* p, std::uint64_t value) { return std::to_chars(p, p + 20, value).ptr; }

void append_string(std::string& out, std::string_view value) {
  const std::size_t size = out.size();
  out.resize(size + string_room(value));
  out.resize(static_cast<std::size_t>(write_string(out.data() + size, value) - out.data()));
}

namespace {

template <typename T>
void append_number(std::string& out, T value) {
  char buffer[32];
  out.append(buffer, write_number(buffer, value));
}

}  // namespace

void append(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      append_number(out, value.get_int64());
      return;
    case boost::json::kind::uint64:
      append_number(out, value.get_uint64());
      return;
    case boost::json::kind::double_:
      append_number(out, value.get_double());
      return;
    case boost::json::kind::string:
      append_string(out, value.get_string());
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        append(out, item);
      }
      out += '}';
      return;
    }
  }
}

std::string serialize(const boost::json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

// ---- Writer ------------------------------------------------------------------------------

Writer& Writer::open(char bracket) {
  separate();
  out_->push_back(bracket);
  after_value_ = false;
  return *this;
}

Writer& Writer::close(char bracket) {
  out_->push_back(bracket);
  after_value_ = true;
  return *this;
}

Writer& Writer::key(std::string_view name) {
  separate();
  append_string(*out_, name);
  out_->push_back(':');
  after_value_ = false;
  return *this;
}

Writer& Writer::string(std::string_view value) {
  separate();
  append_string(*out_, value);
  after_value_ = true;
  return *this;
}

Writer& Writer::string(std::string_view prefix, std::string_view text) {
  separate();
  const std::size_t size = out_->size();
  out_->resize(size + string_room(prefix) + string_room(text));
  char* p = out_->data() + size;
  *p++ = '"';
  p = write_text<true>(write_text<true>(p, prefix), text);
  *p++ = '"';
  out_->resize(static_cast<std::size_t>(p - out_->data()));
  after_value_ = true;
  return *this;
}

Writer& Writer::number(std::int64_t value) {
  separate();
  append_number(*out_, value);
  after_value_ = true;
  return *this;
}

Writer& Writer::boolean(bool value) {
  separate();
  *out_ += value ? "true" : "false";
  after_value_ = true;
  return *this;
}

Writer& Writer::null() {
  separate();
  *out_ += "null";
  after_value_ = true;
  return *this;
}

Writer& Writer::value(const boost::json::value& value) {
  separate();
  append(*out_, value);
  after_value_ = true;
  return *this;
}

}  // namespace pend::util::json
