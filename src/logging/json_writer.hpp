// Appends JSON tokens to a string without building a DOM: the hot path of log formatting.
// Strings are escaped so that no input can break a line (control characters, quotes) or
// produce invalid UTF-8 (bad bytes become U+FFFD): log injection is impossible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pend::logging {

void append_json_string(std::string& out, std::string_view value);

// Appends "k":v pairs separated by commas; the caller writes the braces. With
// continues = true the first pair also gets a comma (appending to an open object).
class JsonLineWriter {
 public:
  explicit JsonLineWriter(std::string& out, bool continues = false)
      : out_(out), first_(!continues) {}

  void key(std::string_view key);
  void field(std::string_view key, std::string_view value);
  void field(std::string_view key, std::int64_t value);
  void field(std::string_view key, double value);
  void field_bool(std::string_view key, bool value);
  void raw_field(std::string_view key, std::string_view json);  // value already JSON

 private:
  std::string& out_;
  bool first_;
};

}  // namespace pend::logging
