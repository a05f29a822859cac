#include "db/value.hpp"

#include "db/error.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

#include <arpa/inet.h>
#include <boost/json/parse.hpp>

#include <charconv>
#include <cstring>
#include <limits>

namespace pend::db {

namespace {

using std::chrono::days;
using std::chrono::microseconds;

// PostgreSQL counts time from 2000-01-01 00:00:00 UTC.
constexpr std::int64_t kPgEpochMicros = 946'684'800'000'000;
constexpr int kMaxJsonDepth = 1024;
constexpr std::int32_t kPgEpochDays = 10'957;

std::uint16_t read16(const char* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return ntohs(v);
}
std::uint32_t read32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}
std::uint64_t read64(const char* p) {
  return (static_cast<std::uint64_t>(read32(p)) << 32) | read32(p + 4);
}
void write64(char* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}

[[noreturn]] void type_error(const PGresult* result, int column, std::string_view wanted) {
  throw DatabaseError("column '" + std::string{PQfname(result, column)} + "' (type oid " +
                          std::to_string(PQftype(result, column)) + ") does not convert to " +
                          std::string{wanted},
                      "42804");
}

template <typename T>
void append_number(std::string& out, T value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, end);
}

void append_padded(std::string& out, unsigned value, int width) {
  char buffer[8];
  for (int i = width - 1; i >= 0; --i, value /= 10) buffer[i] = static_cast<char>('0' + value % 10);
  out.append(buffer, static_cast<std::size_t>(width));
}

std::string format_inet(std::string_view b) {
  if (b.size() < 4) return {};
  const int family = b[0] == 3 ? AF_INET6 : AF_INET;
  const unsigned bits = static_cast<unsigned char>(b[1]);
  const bool is_cidr = b[2] != 0;
  unsigned char address[16] = {};
  std::memcpy(address, b.data() + 4, std::min<std::size_t>(b.size() - 4, 16));
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family, address, text, sizeof text) == nullptr) return {};
  std::string out = text;
  const unsigned max_bits = family == AF_INET ? 32 : 128;
  if (is_cidr || bits != max_bits) {
    out += '/';
    append_number(out, bits);
  }
  return out;
}

std::string format_date(std::int32_t pg_days) {
  const std::chrono::year_month_day date{std::chrono::sys_days{days{pg_days + kPgEpochDays}}};
  std::string out;
  append_padded(out, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(date.day()), 2);
  return out;
}

}  // namespace

// ---- Uuid ---------------------------------------------------------------------------------

std::optional<Uuid> Uuid::parse(std::string_view text) {
  const auto parsed = util::parse_uuid(text);
  if (!parsed) return std::nullopt;
  Uuid uuid;
  std::memcpy(uuid.bytes.data(), parsed->data, 16);
  return uuid;
}

std::string Uuid::str() const {
  boost::uuids::uuid id;
  std::memcpy(id.data, bytes.data(), 16);
  return util::to_string(id);
}

// ---- Param --------------------------------------------------------------------------------

Oid Param::type() const {
  switch (kind_) {
    case Kind::int8:
      return oid::kInt8;
    case Kind::boolean:
      return oid::kBool;
    case Kind::float8:
      return oid::kFloat8;
    case Kind::uuid:
      return oid::kUuid;
    case Kind::timestamp:
      return oid::kTimestamptz;
    case Kind::null:
    case Kind::text:
      break;
  }
  return 0;
}

std::size_t Param::binary(char* out) const {
  switch (kind_) {
    case Kind::int8:
      write64(out, static_cast<std::uint64_t>(int_));
      return 8;
    case Kind::boolean:
      out[0] = int_ != 0 ? 1 : 0;
      return 1;
    case Kind::float8: {
      std::uint64_t bits;
      std::memcpy(&bits, &float_, 8);
      write64(out, bits);
      return 8;
    }
    case Kind::uuid:
      std::memcpy(out, uuid_.bytes.data(), 16);
      return 16;
    case Kind::timestamp: {
      constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
      constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
      const std::int64_t wire = int_ == kMax || int_ == kMin ? int_ : int_ - kPgEpochMicros;
      write64(out, static_cast<std::uint64_t>(wire));
      return 8;
    }
    case Kind::null:
    case Kind::text:
      break;
  }
  return 0;
}

std::size_t Param::text_form(char* out) const {
  std::string text;
  switch (kind_) {
    case Kind::int8:
      return static_cast<std::size_t>(std::to_chars(out, out + kScratch, int_).ptr - out);
    case Kind::boolean:
      out[0] = int_ != 0 ? 't' : 'f';
      return 1;
    case Kind::float8:
      return static_cast<std::size_t>(std::to_chars(out, out + kScratch, float_).ptr - out);
    case Kind::uuid:
      text = uuid_.str();
      break;
    case Kind::timestamp:
      text = format_timestamp(Timestamp{microseconds{int_}});
      break;
    case Kind::null:
    case Kind::text:
      return 0;
  }
  std::memcpy(out, text.data(), text.size());
  return text.size();
}

// ---- Result and Row -----------------------------------------------------------------------

std::uint64_t Result::affected() const {
  if (!result_) return 0;
  const std::string_view tuples = PQcmdTuples(result_.get());
  std::uint64_t count = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), count);
  return count;
}

std::string_view Row::bytes(int column) const {
  return {PQgetvalue(result_, row_, column),
          static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

template <>
std::int64_t Row::get<std::int64_t>(int column) const {
  if (is_null(column)) type_error(result_, column, "a number (it is NULL)");
  const auto b = bytes(column);
  switch (type(column)) {
    case oid::kInt2:
      return static_cast<std::int16_t>(read16(b.data()));
    case oid::kInt4:
      return static_cast<std::int32_t>(read32(b.data()));
    case oid::kOid:
      return read32(b.data());
    case oid::kInt8:
      return static_cast<std::int64_t>(read64(b.data()));
    default:
      type_error(result_, column, "an integer");
  }
}

template <>
int Row::get<int>(int column) const {
  const auto value = get<std::int64_t>(column);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    type_error(result_, column, "int (out of range)");
  }
  return static_cast<int>(value);
}

template <>
bool Row::get<bool>(int column) const {
  if (is_null(column) || type(column) != oid::kBool) type_error(result_, column, "bool");
  return bytes(column)[0] != 0;
}

template <>
double Row::get<double>(int column) const {
  if (is_null(column)) type_error(result_, column, "a number (it is NULL)");
  const auto b = bytes(column);
  switch (type(column)) {
    case oid::kFloat4: {
      const std::uint32_t bits = read32(b.data());
      float value;
      std::memcpy(&value, &bits, 4);
      return value;
    }
    case oid::kFloat8: {
      const std::uint64_t bits = read64(b.data());
      double value;
      std::memcpy(&value, &bits, 8);
      return value;
    }
    case oid::kNumeric: {
      const std::string text = format_numeric(b);
      double value = 0;
      std::from_chars(text.data(), text.data() + text.size(), value);
      return value;
    }
    default:
      return static_cast<double>(get<std::int64_t>(column));
  }
}

template <>
Uuid Row::get<Uuid>(int column) const {
  if (is_null(column) || type(column) != oid::kUuid) type_error(result_, column, "uuid");
  Uuid uuid;
  std::memcpy(uuid.bytes.data(), bytes(column).data(), 16);
  return uuid;
}

template <>
Timestamp Row::get<Timestamp>(int column) const {
  const Oid t = type(column);
  if (is_null(column) || (t != oid::kTimestamptz && t != oid::kTimestamp)) {
    type_error(result_, column, "timestamp");
  }
  const auto micros = static_cast<std::int64_t>(read64(bytes(column).data()));
  // 'infinity' and '-infinity' are the extremes of int64 on the wire.
  if (micros == std::numeric_limits<std::int64_t>::max()) return Timestamp::max();
  if (micros == std::numeric_limits<std::int64_t>::min()) return Timestamp::min();
  return Timestamp{microseconds{micros + kPgEpochMicros}};
}

template <>
std::string_view Row::get<std::string_view>(int column) const {
  if (is_null(column)) type_error(result_, column, "text (it is NULL)");
  switch (type(column)) {
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kUnknown:
    case oid::kBytea:
      return bytes(column);
    default:
      type_error(result_, column, "text");
  }
}

template <>
std::string Row::get<std::string>(int column) const {
  if (is_null(column)) type_error(result_, column, "string (it is NULL)");
  const auto b = bytes(column);
  std::string out;
  switch (type(column)) {
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kJson:
    case oid::kUnknown:
    case oid::kBytea:
      return std::string{b};
    case oid::kJsonb:  // a version byte, then the text
      return b.empty() ? std::string{} : std::string{b.substr(1)};
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid:
      append_number(out, get<std::int64_t>(column));
      return out;
    case oid::kBool:
      return get<bool>(column) ? "true" : "false";
    case oid::kFloat4:
    case oid::kFloat8:
      append_number(out, get<double>(column));
      return out;
    case oid::kNumeric:
      return format_numeric(b);
    case oid::kUuid:
      return get<Uuid>(column).str();
    case oid::kTimestamptz:
    case oid::kTimestamp:
      return format_timestamp(get<Timestamp>(column));
    case oid::kDate:
      return format_date(static_cast<std::int32_t>(read32(b.data())));
    case oid::kInet:
    case oid::kCidr:
      return format_inet(b);
    default:
      type_error(result_, column, "string (cast it to text in the statement)");
  }
}

template <>
boost::json::value Row::get<boost::json::value>(int column) const {
  const Oid t = type(column);
  if (is_null(column) || (t != oid::kJson && t != oid::kJsonb)) type_error(result_, column, "json");
  // PostgreSQL stores nesting far deeper than Boost.JSON's default of 32 levels allows.
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  auto value = boost::json::parse(get<std::string>(column), ec, {}, options);
  if (ec) type_error(result_, column, "json of at most 1024 levels");
  return value;
}

boost::json::value Row::json(int column) const {
  if (is_null(column)) return nullptr;
  switch (type(column)) {
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid:
      return get<std::int64_t>(column);
    case oid::kBool:
      return get<bool>(column);
    case oid::kFloat4:
    case oid::kFloat8:
      return get<double>(column);
    case oid::kJson:
    case oid::kJsonb:
      return get<boost::json::value>(column);
    case oid::kTimestamptz:
    case oid::kTimestamp: {
      // The API's one time format (util/time.hpp): milliseconds.
      const auto at = get<Timestamp>(column);
      if (at == Timestamp::max() || at == Timestamp::min()) return format_timestamp(at).c_str();
      return boost::json::value(util::format_rfc3339(at));
    }
    default:
      return boost::json::value(get<std::string>(column));
  }
}

// ---- text forms ---------------------------------------------------------------------------

std::string format_timestamp(Timestamp value) {
  if (value == Timestamp::max()) return "infinity";
  if (value == Timestamp::min()) return "-infinity";
  return util::format_rfc3339(value, util::TimePrecision::microseconds);
}

// numeric on the wire: ndigits, weight, sign, dscale (int16 each), then ndigits base-10000
// digits; the value is sum(digit[i] * 10000^(weight - i)), shown with dscale decimals.
std::string format_numeric(std::string_view b) {
  if (b.size() < 8) return "0";
  const int ndigits = static_cast<std::int16_t>(read16(b.data()));
  const int weight = static_cast<std::int16_t>(read16(b.data() + 2));
  const std::uint16_t sign = read16(b.data() + 4);
  const int dscale = read16(b.data() + 6);
  if (sign == 0xC000) return "NaN";
  if (sign == 0xD000) return "Infinity";
  if (sign == 0xF000) return "-Infinity";
  if (b.size() < 8 + 2 * static_cast<std::size_t>(std::max(ndigits, 0))) return "0";
  auto digit = [&](int i) -> unsigned {
    return i >= 0 && i < ndigits ? read16(b.data() + 8 + 2 * i) : 0;
  };
  std::string out;
  if (sign == 0x4000) out += '-';
  if (weight < 0) {
    out += '0';
  } else {
    append_number(out, digit(0));
    for (int i = 1; i <= weight; ++i) append_padded(out, digit(i), 4);
  }
  if (dscale > 0) {
    out += '.';
    const std::size_t fraction_start = out.size();
    for (int i = weight + 1; out.size() - fraction_start < static_cast<std::size_t>(dscale); ++i) {
      append_padded(out, digit(i), 4);
    }
    out.resize(fraction_start + static_cast<std::size_t>(dscale));
  }
  return out;
}

}  // namespace pend::db
