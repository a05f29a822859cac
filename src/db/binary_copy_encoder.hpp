// BinaryCopyEncoder: rows in COPY's binary format (COPY ... FROM STDIN (FORMAT binary)): each
// field its length and its bytes in the type's wire form, so the server parses no text for
// uuids, timestamps, integers or addresses, and nothing is escaped. Bulk writers (the log
// sink) fill one and hand its data to COPY in chunks; the buffer is reused.
//
//   BinaryCopyEncoder rows;             // starts with the format's header
//   rows.begin_row(3);
//   rows.uuid(id).timestamptz(at).text("info");
//   session.copy_in(kCopyBinary, rows.finish());   // the trailer, then all of it
//
// Field counts and types must match the COPY's column list: the server checks both and
// refuses the whole COPY otherwise.
#pragma once

#include "db/value.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pend::db {

class BinaryCopyEncoder {
 public:
  BinaryCopyEncoder() { clear(); }

  BinaryCopyEncoder& begin_row(std::uint16_t fields);
  BinaryCopyEncoder& null();
  // text, varchar: the bytes as they are. They must be valid UTF-8 without NUL bytes (the
  // server refuses the COPY otherwise); values from parsed JSON are.
  BinaryCopyEncoder& text(std::string_view value);
  BinaryCopyEncoder& int4(std::int32_t value);
  BinaryCopyEncoder& boolean(bool value);
  // numeric from a fixed-point value: numeric(1234, 2) is 12.34. scale: 0 to 4.
  BinaryCopyEncoder& numeric(std::int64_t scaled, int scale);
  BinaryCopyEncoder& uuid(const Uuid& value);
  BinaryCopyEncoder& timestamptz(Timestamp value);
  BinaryCopyEncoder& inet(const boost::asio::ip::address& value);
  BinaryCopyEncoder& jsonb(std::string_view json);  // valid JSON text

  // The data so far (rows not yet handed over), and handing it over: the caller sends it,
  // then calls consumed(); the trailer is added by finish().
  std::string_view data() const { return buffer_; }
  void consumed() { buffer_.clear(); }
  std::string_view finish();
  std::size_t rows() const { return rows_; }
  void clear();  // a new COPY: the header again, no rows

 private:
  void length(std::int32_t bytes);
  std::string buffer_;
  std::size_t rows_ = 0;
};

}  // namespace pend::db
