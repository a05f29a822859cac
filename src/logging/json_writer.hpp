// Appends JSON tokens to a line without building a DOM: the hot path of log formatting.
// Strings and numbers are written by util/json.hpp, as in responses: no input can break a
// line (control characters, quotes, bidi controls) or produce invalid UTF-8 (bad bytes
// become U+FFFD), so log injection is impossible.
//
//   LineBuffer line;
//   line.append('{');
//   JsonLineWriter out(line);
//   out.field("status_code", std::int64_t{200});   // "status_code":200
//   line.append('}');
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace pend::logging {

// A growable byte buffer for one line. A writer asks for room once per token and writes
// through the pointer it gets, instead of one capacity check per character or piece.
class LineBuffer {
 public:
  // At least n writable bytes at the end; write them, then commit() the new end.
  char* room(std::size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_.get() + size_;
  }
  void commit(char* end) { size_ = static_cast<std::size_t>(end - data_.get()); }

  void append(std::string_view text) {
    char* p = room(text.size());
    std::memcpy(p, text.data(), text.size());
    size_ += text.size();
  }
  void append(char c) { *room(1) = c, ++size_; }
  void clear() { size_ = 0; }
  void resize(std::size_t n) {  // shrinking, or growing into bytes the caller then fills
    room(n > size_ ? n - size_ : 0);
    size_ = n;
  }

  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  void grow(std::size_t n);
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

void append_json_string(LineBuffer& out, std::string_view value);
void append_json_string(std::string& out, std::string_view value);

// The raw writers, for a line whose every token is known up front (the access log): ask
// the buffer for room once, write through the pointer, commit the end.
//
//   char* p = line.room(64 + json_string_room(id));
//   p = write_literal(p, R"(,"request_id":)");
//   p = write_json_string(p, id);
//   line.commit(p);
constexpr std::size_t json_string_room(std::string_view value) {
  return value.size() * 6 + 2;
}  // util::json::string_room
char* write_json_string(char* p, std::string_view value);  // needs json_string_room(value)
inline char* write_literal(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}
char* write_json_int(char* p, std::int64_t value);  // needs 20 bytes

// Appends "k":v pairs separated by commas; the caller writes the braces. With
// continues = true the first pair also gets a comma (appending to an open object).
class JsonLineWriter {
 public:
  explicit JsonLineWriter(LineBuffer& out, bool continues = false)
      : out_(out), first_(!continues) {}

  void key(std::string_view key);
  void field(std::string_view key, std::string_view value);
  void field(std::string_view key, std::int64_t value);
  void field(std::string_view key, double value);
  void field_bool(std::string_view key, bool value);
  void raw_field(std::string_view key, std::string_view json);  // value already JSON

 private:
  char* begin_pair(std::string_view key, std::size_t value_room);
  LineBuffer& out_;
  bool first_;
};

}  // namespace pend::logging
