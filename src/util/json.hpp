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

// JSON text written straight into a string, one member at a time: for answers made of many
// rows, where building a boost::json::value first costs more than the rest of the request (a
// page of 25 transactions: some 1,500 allocations and a hash of every key). Strings are
// escaped as append_string escapes them; the caller keeps objects and arrays balanced and
// writes a key before each member's value.
//
//   util::json::Writer w(body);
//   w.begin_object().key("items").begin_array();
//   for (const auto& row : rows) w.begin_object().member("hash", hash).end_object();
//   w.end_array().member("next_cursor", nullptr).end_object();
class Writer {
 public:
  explicit Writer(std::string& out) : out_(&out) {}

  Writer& begin_object() { return open('{'); }
  Writer& end_object() { return close('}'); }
  Writer& begin_array() { return open('['); }
  Writer& end_array() { return close(']'); }
  Writer& key(std::string_view name);

  Writer& string(std::string_view value);
  // prefix then text as one string ("0x" and hex digits), neither copied first.
  Writer& string(std::string_view prefix, std::string_view text);
  Writer& number(std::int64_t value);
  Writer& boolean(bool value);
  Writer& null();
  Writer& value(const boost::json::value& value);

  Writer& member(std::string_view name, std::string_view value) { return key(name).string(value); }
  Writer& member(std::string_view name, const char* value) { return key(name).string(value); }
  Writer& member(std::string_view name, std::int64_t value) { return key(name).number(value); }
  Writer& member(std::string_view name, bool value) { return key(name).boolean(value); }
  Writer& member(std::string_view name, std::nullptr_t) { return key(name).null(); }

 private:
  void separate() {
    if (after_value_) out_->push_back(',');
  }
  Writer& open(char bracket);
  Writer& close(char bracket);
  std::string* out_;
  bool after_value_ = false;  // the next value or key needs a comma first
};

}  // namespace pend::util::json
