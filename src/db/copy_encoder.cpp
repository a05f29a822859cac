#include "db/copy_encoder.hpp"

#include "util/hex.hpp"

#include <charconv>

namespace pend::db {

void CopyEncoder::separate() {
  if (row_started_) buffer_ += '\t';
  row_started_ = true;
}

char* write_copy_text(char* p, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\':
        *p++ = '\\';
        *p++ = '\\';
        break;
      case '\t':
        *p++ = '\\';
        *p++ = 't';
        break;
      case '\n':
        *p++ = '\\';
        *p++ = 'n';
        break;
      case '\r':
        *p++ = '\\';
        *p++ = 'r';
        break;
      case '\0':
        break;
      default:
        *p++ = c;
    }
  }
  return p;
}

CopyEncoder& CopyEncoder::field(std::string_view text) {
  separate();
  const std::size_t start = buffer_.size();
  buffer_.resize(start + 2 * text.size());
  buffer_.resize(
      static_cast<std::size_t>(write_copy_text(buffer_.data() + start, text) - buffer_.data()));
  return *this;
}

CopyEncoder& CopyEncoder::bytea(std::string_view bytes) {
  separate();
  // COPY's text format unescapes "\\" to one backslash; bytea reads "\x..." as hex.
  const std::size_t start = buffer_.size();
  buffer_.resize(start + 3 + 2 * bytes.size());
  char* p = buffer_.data() + start;
  *p++ = '\\';
  *p++ = '\\';
  *p++ = 'x';
  util::write_hex(p, std::span{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  return *this;
}

CopyEncoder& CopyEncoder::field(std::int64_t value) {
  separate();
  char digits[24];
  buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

CopyEncoder& CopyEncoder::field(double value) {
  separate();
  char digits[32];
  buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

CopyEncoder& CopyEncoder::field(bool value) {
  separate();
  buffer_ += value ? 't' : 'f';
  return *this;
}

CopyEncoder& CopyEncoder::field(const Uuid& value) {
  separate();
  buffer_ += value.str();
  return *this;
}

CopyEncoder& CopyEncoder::field(Timestamp value) {
  separate();
  buffer_ += format_timestamp(value);
  return *this;
}

CopyEncoder& CopyEncoder::null() {
  separate();
  buffer_ += "\\N";
  return *this;
}

void CopyEncoder::end_row() {
  buffer_ += '\n';
  row_started_ = false;
  ++rows_;
}

void CopyEncoder::clear() {
  buffer_.clear();
  rows_ = 0;
  row_started_ = false;
}

}  // namespace pend::db
