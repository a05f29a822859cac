// CopyEncoder: rows in COPY's text format (tab-separated, \N for NULL, backslash escapes),
// for PgConnection::copy_in. Bulk writers (log and metrics sinks) fill one, hand its data to
// COPY, and clear it for the next batch; the buffer is reused.
//
//   CopyEncoder rows;
//   rows.field("info").field(std::int64_t{42}).null().end_row();
//   co_await conn->copy_in(kCopyLogs, [&, done = false]() mutable {
//     return std::exchange(done, true) ? std::string_view{} : rows.data(); });
#pragma once

#include "db/value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::db {

// Writes text as one field of COPY's text format at p (backslash, tab, newline and carriage
// return escaped; NUL, which text cannot hold, dropped); p has room for 2 * text.size().
// Returns the end.
char* write_copy_text(char* p, std::string_view text);

class CopyEncoder {
 public:
  CopyEncoder& field(std::string_view text);  // NUL bytes, which text cannot hold, are dropped
  CopyEncoder& field(const char* text) { return field(std::string_view{text}); }
  CopyEncoder& field(std::int64_t value);
  CopyEncoder& field(int value) { return field(static_cast<std::int64_t>(value)); }
  CopyEncoder& field(double value);
  CopyEncoder& field(bool value);
  CopyEncoder& field(const Uuid& value);
  CopyEncoder& field(Timestamp value);
  template <typename T>
  CopyEncoder& field(const std::optional<T>& value) {
    return value ? field(*value) : null();
  }
  // bytea from raw bytes, in the hex form ("\\x" and two digits a byte).
  CopyEncoder& bytea(std::string_view bytes);
  CopyEncoder& null();
  void end_row();

  std::string_view data() const { return buffer_; }
  std::size_t rows() const { return rows_; }
  std::size_t bytes() const { return buffer_.size(); }
  void clear();

 private:
  void separate();
  std::string buffer_;
  std::size_t rows_ = 0;
  bool row_started_ = false;
};

}  // namespace pend::db
