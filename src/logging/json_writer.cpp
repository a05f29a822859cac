#include "logging/json_writer.hpp"

#include "util/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace pend::logging {

char* write_json_string(char* p, std::string_view value) {
  return util::json::write_string(p, value);
}

char* write_json_int(char* p, std::int64_t value) { return util::json::write_number(p, value); }

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
  out_.commit(util::json::write_number(p, value));
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
