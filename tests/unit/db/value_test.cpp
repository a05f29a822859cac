// Typed values without a server: uuid text, parameter forms, numeric and timestamp text,
// COPY escaping.
#include "db/value.hpp"
#include "db/copy_encoder.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstring>

namespace pend::db {
namespace {

using namespace std::chrono_literals;

TEST(UuidTest, ParsesCanonicalTextInEitherCaseAndRefusesTheRest) {
  const auto uuid = Uuid::parse("0192F3A4-5b6c-7d8e-9fa0-b1c2d3e4f506");
  ASSERT_TRUE(uuid);
  EXPECT_EQ(uuid->str(), "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506");
  EXPECT_EQ(uuid->bytes[0], 0x01);
  EXPECT_EQ(uuid->bytes[15], 0x06);
  for (const char* bad :
       {"", "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f50", "0192f3a45b6c7d8e9fa0b1c2d3e4f506",
        "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f50g", "0192f3a4+5b6c-7d8e-9fa0-b1c2d3e4f506"}) {
    EXPECT_FALSE(Uuid::parse(bad)) << bad;
  }
}

TEST(ParamTest, BinaryAndTextFormsAgree) {
  char out[Param::kScratch];
  const Param number(std::int64_t{-2});
  EXPECT_EQ(number.type(), oid::kInt8);
  ASSERT_EQ(number.binary(out), 8u);
  EXPECT_EQ(std::memcmp(out, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8), 0);
  EXPECT_EQ(std::string(out, number.text_form(out)), "-2");

  const Timestamp epoch2000{std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}};
  const Param when(epoch2000 + 1s);
  ASSERT_EQ(when.binary(out), 8u);
  EXPECT_EQ(std::memcmp(out, "\0\0\0\0\0\x0f\x42\x40", 8), 0);  // 1,000,000 us after 2000
  EXPECT_EQ(std::string(out, when.text_form(out)), "2000-01-01T00:00:01.000000Z");

  EXPECT_EQ(Param(true).type(), oid::kBool);
  EXPECT_EQ(std::string(out, Param(false).text_form(out)), "f");
  EXPECT_EQ(Param("text").type(), 0u);  // the server infers it from the statement
  EXPECT_TRUE(Param(std::optional<int>{}).is_null());
  EXPECT_EQ(Param(std::optional<int>{5}).kind(), Param::Kind::int8);
}

// Builds numeric's binary form: ndigits, weight, sign, dscale, then base-10000 digits.
std::string numeric(std::int16_t weight, std::uint16_t sign, std::uint16_t dscale,
                    std::initializer_list<std::uint16_t> digits) {
  std::string out;
  auto put = [&out](std::uint16_t v) {
    const std::uint16_t be = htons(v);
    out.append(reinterpret_cast<const char*>(&be), 2);
  };
  put(static_cast<std::uint16_t>(digits.size()));
  put(static_cast<std::uint16_t>(weight));
  put(sign);
  put(dscale);
  for (auto d : digits) put(d);
  return out;
}

TEST(NumericTest, RendersExactlyAsPostgresDoes) {
  EXPECT_EQ(format_numeric(numeric(0, 0, 0, {})), "0");
  EXPECT_EQ(format_numeric(numeric(1, 0, 3, {1, 2345})), "12345.000");
  EXPECT_EQ(format_numeric(numeric(1, 0, 3, {1, 2345, 6780})), "12345.678");
  EXPECT_EQ(format_numeric(numeric(-1, 0, 4, {1})), "0.0001");
  EXPECT_EQ(format_numeric(numeric(-2, 0, 12, {1, 2345})), "0.000000012345");
  EXPECT_EQ(format_numeric(numeric(0, 0x4000, 2, {7, 5000})), "-7.50");
  EXPECT_EQ(format_numeric(numeric(2, 0, 0, {1})), "100000000");
  EXPECT_EQ(format_numeric(numeric(0, 0xC000, 0, {})), "NaN");
  EXPECT_EQ(format_numeric("\x01"), "0");  // short input never reads past the end
}

TEST(TimestampTest, FormatsIso8601Utc) {
  const Timestamp t{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + 23h + 59min + 59s +
                    std::chrono::microseconds(7)};
  EXPECT_EQ(format_timestamp(t), "2026-11-25T23:59:59.000007Z");
}

TEST(CopyEncoderTest, EscapesWhatCopyTextFormatReserves) {
  CopyEncoder rows;
  rows.field("a\tb\nc\\d\re").null().field(std::int64_t{-3}).field(true).end_row();
  rows.field(std::string_view("nul\0byte", 8)).field(std::optional<int>{}).end_row();
  EXPECT_EQ(rows.data(), "a\\tb\\nc\\\\d\\re\t\\N\t-3\tt\nnulbyte\t\\N\n");
  EXPECT_EQ(rows.rows(), 2u);
  rows.clear();
  EXPECT_EQ(rows.bytes(), 0u);
}

}  // namespace
}  // namespace pend::db
