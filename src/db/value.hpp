// Typed values in and out of PostgreSQL. Parameters bind in binary where it pays (int8,
// uuid, timestamptz, bool, float8) and as text otherwise; results arrive in binary and are
// decoded by column type, so an int8 is eight bytes to read, not a string to parse.
//
//   Result rows = co_await db.query(kFind, scope, user_id, "active");  // uuid, text
//   for (const Row row : rows) {
//     std::string phone = row.get<std::string>(0);
//     std::optional<Timestamp> seen = row.opt<Timestamp>(1);
//   }
#pragma once

#include <libpq-fe.h>

#include <boost/json/value.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pend::db {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

struct Uuid {
  std::array<std::uint8_t, 16> bytes{};

  static std::optional<Uuid> parse(std::string_view text);  // canonical 8-4-4-4-12 hex
  std::string str() const;                                  // lowercase canonical
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

// PostgreSQL type OIDs this layer knows (pg_type.dat).
namespace oid {
inline constexpr Oid kBool = 16, kBytea = 17, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23,
                     kText = 25, kOid = 26, kJson = 114, kCidr = 650, kFloat4 = 700, kFloat8 = 701,
                     kUnknown = 705, kInet = 869, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
                     kTimestamp = 1114, kTimestamptz = 1184, kNumeric = 1700, kUuid = 2950,
                     kJsonb = 3802;
}

// One bound parameter. Text is viewed, not copied: it must outlive the query, which the
// usual `co_await db.query(stmt, {Param{text}})` guarantees (temporaries live until the end
// of the full expression, across the suspension).
class Param {
 public:
  enum class Kind : std::uint8_t { null, text, int8, boolean, float8, uuid, timestamp };

  Param() = default;  // NULL
  Param(std::nullopt_t) {}
  Param(std::string_view text) : kind_(Kind::text), text_(text) {}
  Param(const char* text) : Param(std::string_view{text}) {}
  Param(const std::string& text) : Param(std::string_view{text}) {}
  Param(std::int64_t value) : kind_(Kind::int8), int_(value) {}
  Param(int value) : Param(static_cast<std::int64_t>(value)) {}
  Param(std::uint32_t value) : Param(static_cast<std::int64_t>(value)) {}
  Param(bool value) : kind_(Kind::boolean), int_(value) {}
  Param(double value) : kind_(Kind::float8), float_(value) {}
  Param(const Uuid& value) : kind_(Kind::uuid), uuid_(value) {}
  Param(Timestamp value) : kind_(Kind::timestamp), int_(value.time_since_epoch().count()) {}
  template <typename T>
  Param(const std::optional<T>& value) : Param() {
    if (value) *this = Param(*value);
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  std::string_view text() const { return text_; }
  void rebind_text(std::string_view text) { text_ = text; }  // after copying it elsewhere

  // The type the server is told (0 lets it infer from the statement, as for text).
  Oid type() const;
  // Writes the binary form (binary kinds) or the text form into out, returns its length.
  // 40 bytes hold every non-text kind in either form.
  static constexpr std::size_t kScratch = 40;
  std::size_t binary(char* out) const;
  std::size_t text_form(char* out) const;

 private:
  Kind kind_ = Kind::null;
  std::string_view text_;
  std::int64_t int_ = 0;
  double float_ = 0;
  Uuid uuid_;
};

class Result;

// One row of a Result; cheap to copy (a pointer and an index).
class Row {
 public:
  Row(const PGresult* result, int row) : result_(result), row_(row) {}

  bool is_null(int column) const { return PQgetisnull(result_, row_, column) != 0; }
  // T: std::int64_t, int, bool, double, std::string, std::string_view, Uuid, Timestamp,
  // boost::json::value. std::string_view: a text or bytea column's own bytes, not copied
  // (valid while the Result lives); another type throws.
  // std::string renders any known type as PostgreSQL's text would (numeric exactly,
  // timestamps as ISO 8601 UTC, inet as address[/bits]). Throws DatabaseError on NULL or on
  // a type that does not convert.
  template <typename T>
  T get(int column) const;
  template <typename T>
  std::optional<T> opt(int column) const {
    if (is_null(column)) return std::nullopt;
    return get<T>(column);
  }
  // For JSON responses: ints, bools and floats as numbers, json/jsonb parsed, NULL as null,
  // numeric and the rest as strings.
  boost::json::value json(int column) const;

 private:
  std::string_view bytes(int column) const;
  Oid type(int column) const { return PQftype(result_, column); }
  const PGresult* result_;
  int row_;
};

// A statement's rows (binary format). Move-only; owns the PGresult.
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* result) : result_(result) {}

  int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  int columns() const { return result_ ? PQnfields(result_.get()) : 0; }
  bool empty() const { return rows() == 0; }
  std::string_view column_name(int column) const { return PQfname(result_.get(), column); }
  // Rows an INSERT/UPDATE/DELETE/COPY touched.
  std::uint64_t affected() const;
  // The command tag's verb and count, e.g. "INSERT 0 1", "COMMIT", "ROLLBACK".
  std::string_view command() const { return result_ ? PQcmdStatus(result_.get()) : ""; }
  Row operator[](int row) const { return Row(result_.get(), row); }

  class iterator {
   public:
    iterator(const PGresult* result, int row) : result_(result), row_(row) {}
    Row operator*() const { return Row(result_, row_); }
    iterator& operator++() {
      ++row_;
      return *this;
    }
    bool operator==(const iterator& other) const { return row_ == other.row_; }

   private:
    const PGresult* result_;
    int row_;
  };
  iterator begin() const { return {result_.get(), 0}; }
  iterator end() const { return {result_.get(), rows()}; }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

template <>
std::int64_t Row::get<std::int64_t>(int column) const;
template <>
int Row::get<int>(int column) const;
template <>
bool Row::get<bool>(int column) const;
template <>
double Row::get<double>(int column) const;
template <>
std::string Row::get<std::string>(int column) const;
template <>
std::string_view Row::get<std::string_view>(int column) const;
template <>
Uuid Row::get<Uuid>(int column) const;
template <>
Timestamp Row::get<Timestamp>(int column) const;
template <>
boost::json::value Row::get<boost::json::value>(int column) const;

// Text renderings shared by decoding and tests.
std::string format_timestamp(Timestamp value);        // 2026-11-25T01:02:03.456789Z
std::string format_numeric(std::string_view binary);  // PostgreSQL's binary numeric

}  // namespace pend::db
