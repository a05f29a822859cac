// Typed entries: every server_logs column in the plan's entry format, secrets redacted by
// field name, oversized data truncated, the plan's perf/security/business helpers, default
// fields, sinks filtering on the entry's marks, and a full queue dropping only debug/info.
#include "logging/entry.hpp"
#include "logging/file_sink.hpp"
#include "logging/logger.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/json/parse.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace pend::logging {
namespace {

namespace fs = std::filesystem;

struct CapturedLogger {
  explicit CapturedLogger(std::size_t ring_bytes = 1 << 20) {
    file = std::tmpfile();
    LoggerOptions options;
    options.level = Level::trace;
    options.version = "1.2.3";
    options.environment = "test";
    options.server_instance = "api-1";
    options.fd = ::fileno(file);
    options.ring_bytes = ring_bytes;
    options.max_data_bytes = 512;
    logger = std::make_unique<Logger>(std::move(options));
  }
  ~CapturedLogger() {
    if (global() == logger.get()) set_global(nullptr);
    logger.reset();
    std::fclose(file);
  }
  std::vector<boost::json::object> lines() {
    logger->flush();
    std::fflush(file);
    std::ifstream in("/proc/self/fd/" + std::to_string(::fileno(file)));
    std::vector<boost::json::object> out;
    for (std::string line; std::getline(in, line);) {
      out.push_back(boost::json::parse(line).as_object());
    }
    return out;
  }
  std::FILE* file;
  std::unique_ptr<Logger> logger;
};

TEST(EntryTest, EveryServerLogsColumnInThePlansFormat) {
  CapturedLogger log;
  const auto body = boost::json::parse(R"({"amount":"10.00","asset":"USDC"})");
  const auto meta = boost::json::parse(R"({"attempt":2})");
  Entry e;
  e.level = Level::error;
  e.category = "API";
  e.event_type = "TRANSFER_FAILED";
  e.message = "transfer failed";
  e.user_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  e.admin_id = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
  e.session_id = "s-1";
  e.request_id = "r-1";
  e.correlation_id = "c-1";
  e.ip_address = "203.0.113.9";
  e.user_agent = "app/2.1";
  e.endpoint = "/api/v1/wallet/transfers";
  e.method = "POST";
  e.status_code = 502;
  e.response_time_ms = 1234.4;
  e.request_size_bytes = 40;
  e.response_size_bytes = 120;
  e.error_code = "upstream_failed";
  e.error_message = "node timed out";
  e.error_stack = "frame 1\nframe 2";
  e.request_data = &body;
  e.response_data = &body;
  e.metadata = &meta;
  log.logger->log(e);
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto& j = lines[0];
  EXPECT_EQ(j.at("level"), "ERROR");
  EXPECT_EQ(j.at("message"), "transfer failed");
  EXPECT_EQ(j.at("service"), "pend-server");
  EXPECT_EQ(j.at("version"), "1.2.3");
  EXPECT_EQ(j.at("environment"), "test");
  EXPECT_EQ(j.at("server_instance"), "api-1");
  EXPECT_EQ(j.at("process_id"), ::getpid());
  EXPECT_EQ(j.at("@timestamp").as_string().size(), 24u);
  for (const auto* key : {"category", "event_type", "user_id", "admin_id", "session_id",
                          "request_id", "correlation_id", "ip_address", "user_agent", "endpoint",
                          "method", "error_code", "error_message", "error_stack"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.at("status_code"), 502);
  EXPECT_EQ(j.at("response_time_ms"), 1234);
  EXPECT_EQ(j.at("request_size_bytes"), 40);
  EXPECT_EQ(j.at("response_size_bytes"), 120);
  EXPECT_EQ(j.at("error_stack"), "frame 1\nframe 2");
  EXPECT_EQ(j.at("request_data").at("asset"), "USDC");
  EXPECT_EQ(j.at("response_data").at("amount"), "10.00");
  EXPECT_EQ(j.at("metadata").at("attempt"), 2);
  EXPECT_EQ(j.at("performance").at("slow_query"), true);
  EXPECT_EQ(j.at("performance").at("very_slow_query"), false);
}

TEST(EntryTest, SecretsAreRedactedByNameAtAnyDepthAndBigDataTruncated) {
  CapturedLogger log;
  const auto body = boost::json::parse(R"({
      "phone": "+15550109999", "password": "hunter2", "otp_code": "123456",
      "profile": {"name": "Ada", "access_token": "abc", "Authorization": "Bearer x"},
      "items": [{"card_cvv": "1", "cvv": "999", "refresh_token": "r"}],
      "country_code": "US", "code": "4242"})");
  Entry e{.event_type = "SIGN_UP", .message = "sign-up"};
  e.request_data = &body;
  const auto big = boost::json::value(std::string(1000, 'x'));
  e.response_data = &big;
  log.logger->log(e);
  const auto line = log.lines().at(0);
  const auto& data = line.at("request_data");
  EXPECT_EQ(data.at("phone"), "[REDACTED]");
  EXPECT_EQ(data.at("password"), "[REDACTED]");
  EXPECT_EQ(data.at("otp_code"), "[REDACTED]");
  EXPECT_EQ(data.at("code"), "[REDACTED]");
  EXPECT_EQ(data.at("profile").at("name"), "Ada");
  EXPECT_EQ(data.at("profile").at("access_token"), "[REDACTED]");
  EXPECT_EQ(data.at("profile").at("Authorization"), "[REDACTED]");
  EXPECT_EQ(data.at("items").at(0).at("cvv"), "[REDACTED]");
  EXPECT_EQ(data.at("items").at(0).at("refresh_token"), "[REDACTED]");
  EXPECT_EQ(data.at("country_code"), "US") << "not every *_code is a secret";
  const std::string response{line.at("response_data").as_string()};
  EXPECT_LT(response.size(), 600u);
  EXPECT_NE(response.find("[truncated, 1002 bytes]"), std::string::npos) << response;
  std::ostringstream all;
  auto without_time = line;  // its milliseconds may well read 999
  without_time.erase("@timestamp");
  all << boost::json::value(without_time);
  for (const auto* secret : {"+15550109999", "hunter2", "123456", "Bearer x", "999"}) {
    EXPECT_EQ(all.str().find(secret), std::string::npos) << secret;
  }
}

TEST(EntryTest, LooseFieldsAreRedactedByTheSameNames) {
  CapturedLogger log;
  log.logger->log(Level::info, "AUTH", "OTP_SENT", "sent",
                  {{"phone", "+15550109999"}, {"otp_code", "123456"}, {"attempt", 1}});
  const auto line = log.lines().at(0);
  EXPECT_EQ(line.at("phone"), "[REDACTED]");
  EXPECT_EQ(line.at("otp_code"), "[REDACTED]");
  EXPECT_EQ(line.at("attempt"), 1);
}

TEST(EntryTest, ThePlansHelpersAndDefaultFields) {
  CapturedLogger log;
  log.logger->add_default_field("region", "eu-1");
  set_global(log.logger.get());
  security("login_locked", "five wrong passwords", {.user_id = "u-1", .ip_address = "1.2.3.4"});
  business("TRANSFER_SENT", "transfer sent", {.user_id = "u-1"});
  perf("SLOW_QUERY", "explorer search",
       std::chrono::steady_clock::now() - std::chrono::milliseconds(1500));
  perf("QUERY", "explorer search", std::chrono::steady_clock::now());
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].at("level"), "WARN");
  EXPECT_EQ(lines[0].at("category"), "SECURITY");
  EXPECT_EQ(lines[0].at("event_type"), "SECURITY_LOGIN_LOCKED");
  EXPECT_EQ(lines[0].at("ip_address"), "1.2.3.4");
  EXPECT_EQ(lines[1].at("level"), "INFO");
  EXPECT_EQ(lines[1].at("category"), "BUSINESS");
  EXPECT_EQ(lines[2].at("category"), "PERFORMANCE");
  EXPECT_EQ(lines[2].at("level"), "WARN") << "slow";
  EXPECT_GE(lines[2].at("response_time_ms").as_int64(), 1500);
  EXPECT_EQ(lines[2].at("performance").at("slow_query"), true);
  EXPECT_EQ(lines[3].at("level"), "INFO");
  EXPECT_EQ(lines[3].at("performance").at("slow_query"), false);
  for (const auto& line : lines) EXPECT_EQ(line.at("region"), "eu-1");
}

TEST(EntryTest, SinksSeeEachEntrysMarks) {
  const fs::path dir = fs::temp_directory_path() / ("pend-entry-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    LoggerOptions options;
    options.level = Level::trace;
    options.sinks.push_back(std::make_unique<FileSink>(FileSinkOptions{
        .dir = dir, .name = "security", .level = Level::warn, .filter = Filter::security}));
    options.sinks.push_back(std::make_unique<FileSink>(FileSinkOptions{
        .dir = dir, .name = "performance", .level = Level::info, .filter = Filter::performance}));
    Logger logger(std::move(options));
    logger.log(Level::warn, "SECURITY", "SECURITY_RATE_LIMIT_EXCEEDED", "limited");
    logger.log(Level::info, "SECURITY", "SECURITY_PROBE", "below warn");
    logger.log(Level::info, "API", "HTTP_REQUEST", "request", {{"response_time_ms", 3}});
    logger.log(Level::info, "GENERAL", "STARTED", "neither");
  }
  auto read_all = [&](const std::string& prefix) {
    std::string text;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.path().filename().string().starts_with(prefix)) continue;
      std::ifstream in(entry.path());
      std::stringstream s;
      s << in.rdbuf();
      text += s.str();
    }
    return text;
  };
  const auto security = read_all("security-");
  const auto performance = read_all("performance-");
  EXPECT_NE(security.find("SECURITY_RATE_LIMIT_EXCEEDED"), std::string::npos);
  EXPECT_EQ(security.find("SECURITY_PROBE"), std::string::npos);
  EXPECT_EQ(security.find("HTTP_REQUEST"), std::string::npos);
  EXPECT_NE(performance.find("HTTP_REQUEST"), std::string::npos);
  EXPECT_EQ(performance.find("STARTED"), std::string::npos);
  fs::remove_all(dir);
}

TEST(EntryTest, AFullQueueDropsDebugAndInfoButNeverWarnOrError) {
  CapturedLogger log(/*ring_bytes=*/64);  // every entry is larger: the ring is always full
  for (int i = 0; i < 10; ++i) log.logger->log(Level::info, "API", "NOISE", "dropped");
  log.logger->log(Level::debug, "API", "NOISE", "dropped");
  log.logger->log(Level::warn, "API", "KEPT", "kept");
  log.logger->log(Level::error, "API", "KEPT", "kept too");
  std::vector<boost::json::object> kept;
  std::int64_t reported = 0;
  for (auto& line : log.lines()) {
    if (line.at("event_type") == "LOG_ENTRIES_DROPPED") {
      reported += line.at("dropped").as_int64();  // the writer says so, once per interval
    } else {
      kept.push_back(std::move(line));
    }
  }
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].at("level"), "WARN");
  EXPECT_EQ(kept[1].at("level"), "ERROR");
  EXPECT_EQ(log.logger->dropped(), 11u);
  EXPECT_GT(reported, 0);
}

}  // namespace
}  // namespace pend::logging
