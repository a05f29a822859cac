// The shared helpers of src/util: hex, base64url, UUIDs, RFC 3339 time, CIDR networks, enum
// names, and the JSON text every response and log line is written with.
#include "util/base64url.hpp"
#include "util/cidr.hpp"
#include "util/clock.hpp"
#include "util/enum_name.hpp"
#include "util/hex.hpp"
#include "util/json.hpp"
#include "util/time.hpp"
#include "util/uuid.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pend::util {
namespace {

namespace ip = boost::asio::ip;
using namespace std::chrono_literals;

TEST(HexTest, EncodesDecodesAndChecks) {
  const std::string bytes{"\x00\x01\xab\xff", 4};
  EXPECT_EQ(to_hex(bytes), "0001abff");
  EXPECT_EQ(from_hex("0001ABff"), bytes);
  EXPECT_EQ(from_hex("0x0001abff"), bytes);
  EXPECT_FALSE(from_hex("abc")) << "odd length";
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_TRUE(is_hex("0xAbC", /*prefixed=*/true));
  EXPECT_FALSE(is_hex("AbC", /*prefixed=*/true));
  EXPECT_FALSE(is_hex("0x", /*prefixed=*/true));
  EXPECT_TRUE(is_hex("0x" + std::string(40, 'f'), 40, true));
  EXPECT_FALSE(is_hex("0x" + std::string(39, 'f'), 40, true));
  EXPECT_EQ(lower_hex("0xABcd"), "0xabcd");
  char out[8];
  EXPECT_EQ(std::string(out, write_hex(out, 0x1f, 4)), "001f");
}

TEST(Base64UrlTest, RoundTripsWithoutPaddingAndIsStrict) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("-_8="));
  EXPECT_FALSE(base64url_decode("+/8"));
  EXPECT_FALSE(base64url_decode("ab cd"));
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(UuidTest, CanonicalFormOnly) {
  const auto id = parse_uuid("0192F3A4-5b6c-7d8e-9fa0-b1c2d3e4f506");
  ASSERT_TRUE(id);
  EXPECT_EQ(to_string(*id), "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506");
  for (const char* bad :
       {"{0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506}", "0192f3a45b6c7d8e9fa0b1c2d3e4f506",
        "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f50g", ""}) {
    EXPECT_FALSE(parse_uuid(bad)) << bad;
  }
}

TEST(TimeTest, OneFormatMillisecondsAndZ) {
  const Microseconds at{std::chrono::sys_days{2026y / 12 / 4}.time_since_epoch() + 19h + 43min +
                        17s + 123456us};
  EXPECT_EQ(format_rfc3339(at), "2026-12-04T19:43:17.123Z");
  EXPECT_EQ(format_rfc3339(at, TimePrecision::microseconds), "2026-12-04T19:43:17.123456Z");
  EXPECT_EQ(format_rfc3339(at, TimePrecision::seconds), "2026-12-04T19:43:17Z");
  EXPECT_EQ(format_date(std::chrono::system_clock::time_point{at}), "2026-12-04");
  EXPECT_EQ(format_unix_ms(0), "1970-01-01T00:00:00.000Z");
}

TEST(TimeTest, ParsesRfc3339WithOffsetsAndRefusesTheRest) {
  const auto utc = parse_rfc3339("2026-12-04T19:43:17.5Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(format_rfc3339(*utc), "2026-12-04T19:43:17.500Z");
  EXPECT_EQ(parse_rfc3339("2026-12-04T20:43:17.5+01:00"), utc);
  EXPECT_EQ(parse_rfc3339("2026-12-04T18:13:17.5-01:30"), utc);
  EXPECT_EQ(parse_rfc3339("2026-12-04 19:43:17.500000+00:00"), utc) << "PostgreSQL's form";
  for (const char* bad :
       {"2026-02-30T00:00:00Z", "2026-12-04T24:00:00Z", "2026-12-04T19:43:60Z",
        "2026-12-04T19:43:17", "2026-12-04T19:43:17.Z", "2026-12-04T19:43:17+0100", "", "x"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock{std::chrono::system_clock::time_point{1'000'000ms}};
  EXPECT_EQ(clock.unix_ms(), 1'000'000);
  clock.advance(15min);
  EXPECT_EQ(clock.unix_seconds(), 1'000 + 900);
}

TEST(JsonTest, NumbersAsPeopleWriteThem) {
  EXPECT_EQ(json::serialize(boost::json::parse(R"({"a":0.7,"b":10.98,"c":0,"d":1.0})")),
            R"({"a":0.7,"b":10.98,"c":0,"d":1})");
  EXPECT_EQ(json::serialize(boost::json::value(0.0)), "0");
  EXPECT_EQ(json::serialize(boost::json::value(-0.0)), "0");
  EXPECT_EQ(json::serialize(boost::json::value(1e21)), "1e+21");
  EXPECT_EQ(json::serialize(boost::json::value(std::nan(""))), "null");
  EXPECT_EQ(json::serialize(boost::json::value(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(json::serialize(boost::json::parse(R"([true,null,"x",-5])")), R"([true,null,"x",-5])");
}

TEST(JsonTest, EscapesControlsBidiAndInvalidUtf8) {
  const auto text = [](std::string_view raw) {
    return json::serialize(boost::json::value(boost::json::string_view{raw.data(), raw.size()}));
  };
  EXPECT_EQ(text("a\"b\\c\n\x01\x7f"), R"("a\"b\\c\n\u0001\u007f")");
  EXPECT_EQ(text("\xc2\x9b"), R"("\u009b")") << "C1 CSI";
  EXPECT_EQ(text("user\xe2\x80\xae"
                 "evil"),
            R"("user\u202eevil")")
      << "right-to-left override";
  EXPECT_EQ(text("\xe2\x81\xa6\xe2\x81\xa9"), R"("\u2066\u2069")") << "isolates";
  EXPECT_EQ(text("\xe2\x80\xa8"), R"("\u2028")");
  EXPECT_EQ(text("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")") << "a lone surrogate";
  EXPECT_EQ(text("\xff"), R"("\ufffd")");
  EXPECT_EQ(text("caf\xc3\xa9 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"")
      << "other characters stay as they are";
  std::string printable;
  json::append_printable(printable, "say \"hi\"\x1b[31m\xe2\x80\xae");
  EXPECT_EQ(printable, R"(say "hi"\u001b[31m\u202e)");
}

// Writer: the same text util::json::serialize would write for the same value, commas and
// escapes included, without building the value.
TEST(JsonWriterTest, WritesMembersArraysAndEscapesAsSerializeDoes) {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .member("a", std::int64_t{-5})
      .member("b", true)
      .member("c", nullptr)
      .key("d")
      .begin_array()
      .string("x\n")
      .string("0x", "ab\"")
      .begin_object()
      .end_object()
      .begin_array()
      .end_array()
      .end_array()
      .member("e", "caf\xc3\xa9\xe2\x80\xae")
      .key("f")
      .value(boost::json::parse(R"({"g":[1,2.5]})"))
      .member("h", std::string_view{})
      .end_object();
  const std::string expected = R"({"a":-5,"b":true,"c":null,"d":["x\n","0xab\"",{},[]],"e":"caf)"
                               "\xc3\xa9"
                               R"(\u202e","f":{"g":[1,2.5]},"h":""})";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(json::serialize(boost::json::parse(out)), expected);
}

enum class Colour : std::uint8_t { red, green, blue };
BOOST_DESCRIBE_ENUM(Colour, red, green, blue)

TEST(EnumNameTest, NamesFromOneDescription) {
  EXPECT_EQ(enum_name(Colour::green), "green");
  EXPECT_EQ(enum_from_name<Colour>("blue"), Colour::blue);
  EXPECT_FALSE(enum_from_name<Colour>("Blue"));
  EXPECT_EQ(enum_names<Colour>(), "red, green, blue");
}

TEST(CidrTest, MatchesNetworks) {
  const auto ten = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(ten);
  EXPECT_TRUE(ten->contains(ip::make_address("10.200.3.4")));
  EXPECT_FALSE(ten->contains(ip::make_address("11.0.0.1")));
  EXPECT_TRUE(ten->contains(ip::make_address("::ffff:10.1.2.3"))) << "v4-mapped counts as v4";
  const auto odd = Cidr::parse("192.168.1.128/25");
  EXPECT_TRUE(odd->contains(ip::make_address("192.168.1.200")));
  EXPECT_FALSE(odd->contains(ip::make_address("192.168.1.100")));
  const auto v6 = Cidr::parse("fd00::/8");
  EXPECT_TRUE(v6->contains(ip::make_address("fd12::1")));
  EXPECT_FALSE(v6->contains(ip::make_address("10.0.0.1")));
  EXPECT_TRUE(Cidr::parse("127.0.0.1")->contains(ip::make_address("127.0.0.1")));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(ip::make_address("8.8.8.8")));
}

TEST(CidrTest, RejectsMalformed) {
  for (const auto* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::1/129", "x/8",
                          "10.0.0.0/8x", "10.0.0.0/-1"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace pend::util
