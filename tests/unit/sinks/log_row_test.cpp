// How a log line becomes a server_logs row: every column, what the table would refuse kept
// in metadata instead, widths in characters, NUL bytes removed, timestamps parsed exactly.
#include "sinks/log_row.hpp"
#include "logging/batch_sink.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pend::sinks {
namespace {

namespace json = boost::json;
using logging::with_id;
constexpr std::string_view kId = "01a233ad-a4d7-7c2b-a757-de3f7009ddf7";

std::string with_test_id(std::string_view line) { return with_id(line, kId); }

TEST(LogRowTest, EveryColumnFromTheLoggersLine) {
  LogRowMapper mapper;
  const std::string line = with_test_id(
      R"({"@timestamp":"2026-11-25T16:46:14.372Z","level":"WARN","message":"m",)"
      R"("service":"pend-server","version":"1.2.3","environment":"production",)"
      R"("server_instance":"api-1","process_id":42,"category":"API","event_type":"HTTP_REQUEST",)"
      R"("user_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7",)"
      R"("session_id":"s-1","request_id":"r-1","correlation_id":"c-1",)"
      R"("ip_address":"203.0.113.9","user_agent":"ua","endpoint":"/api/v1/config",)"
      R"("method":"GET","status_code":200,"response_time_ms":3,"request_size_bytes":10,)"
      R"("response_size_bytes":139,"error_code":"e","error_message":"em","error_stack":"es",)"
      R"("request_data":{"a":1},"response_data":[1,2],"metadata":{"attempt":2},)"
      R"("performance":{"response_time_ms":2.61,"database_time_ms":1.5,"slow_query":false}})");
  const LogRow* row = mapper.map(line);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id.str(), kId);
  EXPECT_EQ(db::format_timestamp(row->timestamp), "2026-11-25T16:46:14.372000Z");
  EXPECT_EQ(row->level, "warn");
  EXPECT_EQ(row->category, "API");
  EXPECT_EQ(row->event_type, "HTTP_REQUEST");
  EXPECT_EQ(row->user_id->str(), "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  EXPECT_FALSE(row->admin_id);
  EXPECT_EQ(row->session_id, "s-1");
  EXPECT_EQ(row->request_id, "r-1");
  EXPECT_EQ(row->correlation_id, "c-1");
  EXPECT_EQ(row->ip_address->to_string(), "203.0.113.9");
  EXPECT_EQ(row->user_agent, "ua");
  EXPECT_EQ(row->endpoint, "/api/v1/config");
  EXPECT_EQ(row->method, "GET");
  EXPECT_EQ(row->status_code, 200);
  EXPECT_EQ(row->response_time_ms, 3);
  EXPECT_EQ(row->request_size_bytes, 10);
  EXPECT_EQ(row->response_size_bytes, 139);
  EXPECT_EQ(row->error_code, "e");
  EXPECT_EQ(row->error_message, "em");
  EXPECT_EQ(row->error_stack, "es");
  EXPECT_EQ(json::parse(*row->request_data), json::parse(R"({"a":1})"));
  EXPECT_EQ(json::parse(*row->response_data), json::parse("[1,2]"));
  // The message, what has no column, the entry's own metadata; not what every row of the
  // process repeats or what the columns already say.
  EXPECT_EQ(json::parse(row->metadata),
            json::parse(R"({"message":"m","version":"1.2.3","server_instance":"api-1",)"
                        R"("attempt":2,"performance":{"database_time_ms":1.5}})"));
}

TEST(LogRowTest, WhatTheTableWouldRefuseGoesToMetadataAndDefaultsFillTheRest) {
  LogRowMapper mapper;
  const std::string line = with_test_id(
      R"({"@timestamp":"2026-11-25T16:46:14Z","level":"LOUD","ip_address":"999.1.1.1",)"
      R"("method":"BREW","status_code":99,"admin_id":"not-a-uuid","response_time_ms":"slow"})");
  const LogRow* row = mapper.map(line);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->level, "info");
  EXPECT_EQ(row->category, "GENERAL");
  EXPECT_EQ(row->event_type, "LOG");
  EXPECT_FALSE(row->ip_address);
  EXPECT_FALSE(row->method);
  EXPECT_FALSE(row->status_code);
  EXPECT_FALSE(row->admin_id);
  EXPECT_FALSE(row->response_time_ms);
  EXPECT_EQ(json::parse(row->metadata),
            json::parse(R"({"level":"LOUD","ip_address":"999.1.1.1","method":"BREW",)"
                        R"("status_code":99,"admin_id":"not-a-uuid","response_time_ms":"slow"})"));
}

TEST(LogRowTest, WidthsAreCharactersAndNulBytesCannotReachTheTable) {
  LogRowMapper mapper;
  const std::string line = with_test_id(
      R"({"@timestamp":"2026-11-25T16:46:14.372Z","category":")" + std::string(49, 'a') +
      "\xc3\xa9\xc3\xa9" + R"(","error_code":"a\u0000b","request_data":{"k":"v\u0000w"}})");
  const LogRow* row = mapper.map(line);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->category, std::string(49, 'a') + "\xc3\xa9") << "50 characters, 51 bytes";
  EXPECT_EQ(row->error_code, "ab");
  EXPECT_EQ(*row->request_data, R"({"k":"vw"})");
  EXPECT_EQ(without_nul_escapes(R"(["\\u0000", "\u0000x"])"), R"(["\\u0000", "x"])")
      << "an escaped backslash followed by u0000 is text, not a NUL";
}

TEST(LogRowTest, LinesThatCannotBeRowsSayWhy) {
  LogRowMapper mapper;
  std::string why;
  EXPECT_EQ(mapper.map("not json", &why), nullptr);
  EXPECT_EQ(why, "not JSON");
  EXPECT_EQ(mapper.map(R"({"@timestamp":"2026-11-25T16:46:14Z"})", &why), nullptr);
  EXPECT_EQ(why, "no valid id");
  EXPECT_EQ(mapper.map(with_test_id(R"({"@timestamp":"not a time"})"), &why), nullptr);
  EXPECT_EQ(why, "no valid @timestamp");
  EXPECT_NE(mapper.map(with_test_id(R"({"@timestamp":"2026-11-25T16:46:14Z"})")), nullptr)
      << "the mapper is reusable after a refusal";
}

TEST(LogRowTest, TimestampsAreParsedExactlyOrNotAtAll) {
  EXPECT_EQ(db::format_timestamp(*parse_utc_timestamp("2026-11-25T16:46:14.372Z")),
            "2026-11-25T16:46:14.372000Z");
  EXPECT_EQ(db::format_timestamp(*parse_utc_timestamp("2024-02-29 00:00:00.123456+00:00")),
            "2024-02-29T00:00:00.123456Z");
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T16:46:14",
                          "2026-11-25T16:46:14.Z", "2026-11-25T16:46:14+01:00", ""}) {
    EXPECT_FALSE(parse_utc_timestamp(bad)) << bad;
  }
}

TEST(LogRowTest, IdsAreSplicedInWithoutParsing) {
  EXPECT_EQ(with_id(R"({"a":1})", "x"), R"({"a":1,"id":"x"})");
  EXPECT_EQ(with_id("{}", "x"), R"({"id":"x"})");
  EXPECT_EQ(with_id("{ }", "x"), R"({"id":"x"})");
  EXPECT_EQ(with_id("plain text", "x"), R"({"message":"plain text","id":"x"})");
  // An entry's own "id" field is overridden: the sink's id is the row's key.
  EXPECT_EQ(with_id(R"({"id":"mine"})", "x"), R"({"id":"mine","id":"x"})");
  LogRowMapper mapper;
  const LogRow* row = mapper.map(with_test_id(
      R"({"@timestamp":"2026-11-25T16:46:14Z","id":"7c9e6679-7425-40de-944b-e07fc1f90ae7"})"));
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id.str(), kId);
}

}  // namespace
}  // namespace pend::sinks
