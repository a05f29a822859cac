// The Elasticsearch sink against a local HTTP listener standing in for Elasticsearch (it
// cannot run here): _bulk bodies as Elasticsearch expects them, a refused request and
// per-item 429s retried with the same document ids, a mapping error dead-lettered, and
// everything else indexed once.
#include "sinks/elasticsearch_sink.hpp"
#include "logging/logger.hpp"
#include "support/http_recorder.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using asio::ip::tcp;

// The listener standing in for Elasticsearch: answers each request from a script, then
// "all indexed".
class BulkListener {
 public:
  explicit BulkListener(
      std::vector<std::function<std::pair<unsigned, std::string>(std::size_t)>> script)
      : script_(std::move(script)),
        recorder_([this](const RecordedRequest& request, std::size_t n) {
          std::size_t docs = 0;
          for (const char c : request.body()) docs += c == '\n' ? 1 : 0;
          docs /= 2;
          if (n < script_.size()) return script_[n](docs);
          std::string items;
          for (std::size_t i = 0; i < docs; ++i)
            items += (i ? "," : "") + std::string{R"({"index":{"status":201}})"};
          return std::pair<unsigned, std::string>{200,
                                                  R"({"errors":false,"items":[)" + items + "]}"};
        }) {}
  std::uint16_t port() const { return recorder_.port(); }
  std::vector<RecordedRequest> requests() { return recorder_.requests(); }

 private:
  std::vector<std::function<std::pair<unsigned, std::string>(std::size_t)>> script_;
  HttpRecorder recorder_;
};

// The _id of each document in a _bulk body, in order.
std::vector<std::string> ids_in(const std::string& body) {
  std::vector<std::string> ids;
  std::istringstream lines(body);
  for (std::string action, doc; std::getline(lines, action) && std::getline(lines, doc);) {
    ids.emplace_back(boost::json::parse(action).at("index").at("_id").as_string());
  }
  return ids;
}

TEST(ElasticsearchSinkTest, BulkBodiesRetriesWithTheSameIdsAndDeadLetters) {
  BulkListener es({
      [](std::size_t) {
        return std::pair<unsigned, std::string>{503, "{}"};
      },
      [](std::size_t) {
        return std::pair<unsigned, std::string>{
            200, R"({"errors":true,"items":[{"index":{"status":201}},)"
                 R"({"index":{"status":429,"error":{"type":"es_rejected_execution_exception"}}},)"
                 R"({"index":{"status":201}}]})"};
      },
      [](std::size_t) {
        return std::pair<unsigned, std::string>{
            200, R"({"errors":true,"items":[{"index":{"status":200}},)"
                 R"({"index":{"status":400,"error":{"type":"mapper_parsing_exception"}}},)"
                 R"({"index":{"status":200}}]})"};
      },
  });
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  const fs::path dir = fs::path(base) / ("pend-es-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    logging::LoggerOptions options;
    options.level = logging::Level::trace;
    options.sinks.push_back(
        std::make_unique<sinks::ElasticsearchSink>(sinks::ElasticsearchSinkOptions{
            .url = "http://elastic:s3cret@127.0.0.1:" + std::to_string(es.port()),
            .batch_size = 3,
            .interval = std::chrono::hours(1),
            .log_dir = dir,
            .retry = std::chrono::milliseconds(100)}));
    logging::Logger logger(std::move(options));
    logger.log(logging::Level::info, "API", "ONE", "first");
    logger.log(logging::Level::info, "API", "TWO", "second");
    logger.log(logging::Level::info, "API", "THREE", "third");
    for (int i = 0; i < 200 && es.requests().size() < 3; ++i) std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(es.requests().size(), 3u) << "503, then a 429 item, then done";
    logger.log(logging::Level::info, "API", "FOUR", "fourth");
    logger.log(logging::Level::info, "API", "FIVE", "fifth");
    logger.log(logging::Level::info, "API", "SIX", "sixth");
    for (int i = 0; i < 200 && es.requests().size() < 4; ++i) std::this_thread::sleep_for(20ms);
  }
  const auto requests = es.requests();
  ASSERT_EQ(requests.size(), 4u);
  const auto& first = requests[0];
  EXPECT_EQ(first.target(), "/_bulk");
  EXPECT_EQ(first[beast_http::field::content_type], "application/x-ndjson");
  EXPECT_EQ(first[beast_http::field::authorization], "Basic ZWxhc3RpYzpzM2NyZXQ=");
  std::istringstream lines(first.body());
  std::string action, doc;
  std::getline(lines, action);
  std::getline(lines, doc);
  const auto index = boost::json::parse(action).at("index").at("_index").as_string();
  EXPECT_EQ(std::string_view{index}.substr(0, 17), "pend-server-logs-");
  EXPECT_EQ(index.size(), 17u + 10u) << index;
  EXPECT_EQ(boost::json::parse(doc).at("message"), "first");
  EXPECT_EQ(boost::json::parse(doc).at("event_type"), "ONE");
  EXPECT_EQ(first.body().back(), '\n') << "_bulk bodies end with a newline";

  EXPECT_EQ(ids_in(requests[0].body()).size(), 3u);
  EXPECT_EQ(ids_in(requests[1].body()), ids_in(requests[0].body())) << "the same documents again";
  EXPECT_EQ(ids_in(requests[2].body()), ids_in(requests[0].body()));
  EXPECT_EQ(ids_in(requests[3].body()).size(), 3u);

  std::ifstream in(dir / "dead-letter" / "elasticsearch.jsonl");
  std::vector<std::string> dead;
  for (std::string line; std::getline(in, line);) dead.push_back(line);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].find("second"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pend::test
