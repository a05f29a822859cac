#include "db/copy_encoder.hpp"

#include <charconv>

namespace pend::db {

void CopyEncoder::separate() {
  if (row_started_) buffer_ += '\t';
  row_started_ = true;
}

CopyEncoder& CopyEncoder::field(std::string_view text) {
  separate();
  for (const char c : text) {
    switch (c) {
      case '\\':
        buffer_ += "\\\\";
        break;
      case '\n':
        buffer_ += "\\n";
        break;
      case '\r':
        buffer_ += "\\r";
        break;
      case '\t':
        buffer_ += "\\t";
        break;
      case '\0':
        break;
      default:
        buffer_ += c;
    }
  }
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
