// BinaryCopyEncoder: rows in COPY's binary format (COPY ... FROM STDIN (FORMAT binary)): each
// field its length and its bytes in the type's wire form, so the server parses no text for
// uuids, timestamps, integers or addresses, and nothing is escaped. It appends to the
// caller's buffer, which bulk writers (the log sink) hand to COPY in chunks and reuse.
//
//   std::string data;
//   BinaryCopyEncoder::header(data);
//   BinaryCopyEncoder(data).begin_row(3).uuid(id).timestamptz(at).text("info");
//   BinaryCopyEncoder::trailer(data);
//   session.copy_in(kCopyBinary, data);
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
  explicit BinaryCopyEncoder(std::string& out) : buffer_(out) {}
  static void header(std::string& out);   // before the first row
  static void trailer(std::string& out);  // after the last

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

 private:
  void length(std::int32_t bytes);
  std::string& buffer_;
};

}  // namespace pend::db
