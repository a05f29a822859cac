// ElasticsearchSink: entries into Elasticsearch with the _bulk API, into index
// pend-server-logs (with a -YYYY.MM.DD suffix from each entry's date when daily), when
// ELASTICSEARCH_URL is set. The batching, spool and dead letters are BatchSink's. Every
// document is indexed under the id it got before its first attempt, so a batch sent again
// (after a failed attempt, or replayed from the spool) overwrites itself instead of doubling.
// Per item: 429 and 5xx make the batch wait and go again; other 4xx (a mapping error) put
// that document in the dead-letter file.
#pragma once

#include "external/http_client.hpp"
#include "logging/batch_sink.hpp"

#include <string>

namespace pend::sinks {

// The logging layer's pieces these sinks are built of.
using logging::BatchSink;
using logging::BatchSinkOptions;
using logging::Level;
using logging::RecordKind;

struct ElasticsearchSinkOptions {
  std::string url;  // http(s)://[user:password@]host:9200; secret when it holds a password
  std::string index = "pend-server-logs";
  bool daily = true;  // index-YYYY.MM.DD
  Level level = Level::info;
  std::size_t batch_size = 100;
  std::chrono::milliseconds interval{5'000};
  std::chrono::milliseconds timeout{5'000};  // per _bulk request
  std::filesystem::path log_dir;
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
  std::chrono::milliseconds retry{2'000};
};

class ElasticsearchSink final : public BatchSink {
 public:
  explicit ElasticsearchSink(ElasticsearchSinkOptions options);  // throws on a bad URL
  ~ElasticsearchSink() override;

  // The _bulk body for rows (action line and document per row), for tests.
  std::string bulk_body(const std::vector<std::string>& rows) const;

 private:
  bool deliver(unsigned delivery, const std::vector<std::string>& rows, bool replay) override;

  ElasticsearchSinkOptions options_;
  std::string bulk_url_;  // secret: may hold the credentials
  external::HttpClient client_;
};

}  // namespace pend::sinks
