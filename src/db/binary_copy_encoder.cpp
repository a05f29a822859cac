#include "db/binary_copy_encoder.hpp"

#include <type_traits>

namespace pend::db {

namespace {

// COPY's binary signature, the flags word and the header extension length.
constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
constexpr std::size_t kHeaderSize = 11 + 4 + 4;

// PostgreSQL's epoch for timestamps: 2000-01-01 00:00:00 UTC, in Unix microseconds.
constexpr std::int64_t kPostgresEpoch = 946'684'800'000'000;

// inet's wire form: family, bits, is_cidr, address length, address (utils/inet.h).
constexpr char kFamilyV4 = 2;  // PGSQL_AF_INET
constexpr char kFamilyV6 = 3;  // PGSQL_AF_INET6

template <typename T>
void append_big_endian(std::string& out, T value) {
  const auto bits = static_cast<std::make_unsigned_t<T>>(value);
  char bytes[sizeof value];
  for (std::size_t i = 0; i < sizeof value; ++i) {
    bytes[i] = static_cast<char>(bits >> (8 * (sizeof value - 1 - i)));
  }
  out.append(bytes, sizeof value);
}

}  // namespace

void BinaryCopyEncoder::header(std::string& out) { out.append(kHeader, kHeaderSize); }

void BinaryCopyEncoder::trailer(std::string& out) { append_big_endian(out, std::int16_t{-1}); }

void BinaryCopyEncoder::length(std::int32_t bytes) { append_big_endian(buffer_, bytes); }

BinaryCopyEncoder& BinaryCopyEncoder::begin_row(std::uint16_t fields) {
  append_big_endian(buffer_, static_cast<std::int16_t>(fields));
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::null() {
  length(-1);
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::text(std::string_view value) {
  length(static_cast<std::int32_t>(value.size()));
  buffer_.append(value);
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::int4(std::int32_t value) {
  length(4);
  append_big_endian(buffer_, value);
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::boolean(bool value) {
  length(1);
  buffer_ += value ? '\1' : '\0';
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::numeric(std::int64_t scaled, int scale) {
  // numeric's wire form: digit count, weight, sign, display scale, then base-10000 digits,
  // most significant first (utils/adt/numeric.c, numeric_send).
  static constexpr std::int64_t kPowers[] = {1, 10, 100, 1000, 10000};
  const bool negative = scaled < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(scaled) : scaled;
  const auto unit = static_cast<std::uint64_t>(kPowers[scale]);
  std::uint64_t whole = magnitude / unit;
  const auto fraction = static_cast<std::int16_t>(magnitude % unit * kPowers[4 - scale]);
  std::int16_t groups[8];  // the whole part's base-10000 digits, least significant first
  int count = 0;
  for (; whole > 0; whole /= 10000) groups[count++] = static_cast<std::int16_t>(whole % 10000);
  const int digits = count + (fraction != 0 ? 1 : 0);
  length(8 + 2 * digits);
  append_big_endian(buffer_, static_cast<std::int16_t>(digits));
  append_big_endian(buffer_, static_cast<std::int16_t>(digits == 0 ? 0 : count - 1));  // weight
  append_big_endian(buffer_, static_cast<std::int16_t>(negative && digits > 0 ? 0x4000 : 0));
  append_big_endian(buffer_, static_cast<std::int16_t>(scale));
  for (int i = count; i-- > 0;) append_big_endian(buffer_, groups[i]);
  if (fraction != 0) append_big_endian(buffer_, fraction);
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::uuid(const Uuid& value) {
  length(16);
  buffer_.append(reinterpret_cast<const char*>(value.bytes.data()), value.bytes.size());
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::timestamptz(Timestamp value) {
  length(8);
  append_big_endian(buffer_, value.time_since_epoch().count() - kPostgresEpoch);
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::inet(const boost::asio::ip::address& value) {
  const auto write = [this](char family, const auto& bytes) {
    length(static_cast<std::int32_t>(4 + bytes.size()));
    buffer_ += family;
    buffer_ += static_cast<char>(bytes.size() * 8);  // a host address: every bit counts
    buffer_ += '\0';                                 // inet, not cidr
    buffer_ += static_cast<char>(bytes.size());
    buffer_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  if (value.is_v4()) {
    write(kFamilyV4, value.to_v4().to_bytes());
  } else {
    write(kFamilyV6, value.to_v6().to_bytes());
  }
  return *this;
}

BinaryCopyEncoder& BinaryCopyEncoder::jsonb(std::string_view json) {
  length(static_cast<std::int32_t>(json.size() + 1));
  buffer_ += '\1';  // jsonb's binary format version
  buffer_.append(json);
  return *this;
}

}  // namespace pend::db
