#include "logging/json_writer.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pend::logging {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonWriterTest, EscapesEverythingThatCouldBreakALine) {
  EXPECT_EQ(escaped("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(escaped("line\nfake entry\r\t"), R"("line\nfake entry\r\t")");
  EXPECT_EQ(escaped(std::string{"\x01\x1f\x7f", 3}), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(escaped(std::string{"nul\0byte", 8}), R"("nul\u0000byte")");
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(escaped("Zürich ₿ 🚀"), "\"Zürich ₿ 🚀\"");
  EXPECT_EQ(escaped("\xff"), R"("\ufffd")");
  EXPECT_EQ(escaped("\xc3"), R"("\ufffd")") << "truncated sequence";
  EXPECT_EQ(escaped("\xc0\xaf"), R"("\ufffd\ufffd")") << "overlong encoding";
  EXPECT_EQ(escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")") << "surrogate";
}

TEST(JsonWriterTest, FindsWhatNeedsEscapingAnywhereInALongValue) {
  // The plain runs are scanned eight bytes at a time: every special byte at every offset.
  for (const char special : {'"', '\\', '\n', '\x01', '\x7f', '\xff'}) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string value(24, 'a');
      value[at] = special;
      const std::string out = escaped(value);
      EXPECT_EQ(boost::json::parse(out).as_string().size(),
                special == '\xff' ? 23u + 3u : 24u)  // \xff becomes U+FFFD, three bytes
          << int(special) << " at " << at << ": " << out;
    }
  }
}

TEST(JsonWriterTest, ProducesParseableObjects) {
  LineBuffer buffer;
  buffer.append('{');
  JsonLineWriter writer(buffer);
  writer.field("message", "tricky \" \n \xff");
  writer.field("count", std::int64_t{-42});
  writer.field("ratio", 0.25);
  writer.field("nan", std::numeric_limits<double>::quiet_NaN());
  writer.field_bool("ok", true);
  buffer.append('}');
  const auto value = boost::json::parse(buffer.view());
  EXPECT_EQ(value.at("count"), -42);
  EXPECT_EQ(value.at("ratio"), 0.25);
  EXPECT_TRUE(value.at("nan").is_null());
  EXPECT_EQ(value.at("ok"), true);
}

}  // namespace
}  // namespace pend::logging
