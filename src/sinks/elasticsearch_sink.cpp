#include "sinks/elasticsearch_sink.hpp"

#include "util/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <stdexcept>

namespace pend::sinks {

ElasticsearchSink::ElasticsearchSink(ElasticsearchSinkOptions options)
    : BatchSink({.name = "elasticsearch",
                 .level = options.level,
                 .batch_size = options.batch_size,
                 .interval = options.interval,
                 .log_dir = options.log_dir,
                 .spool_max_bytes = options.spool_max_bytes,
                 .retry = options.retry}),
      options_(std::move(options)) {
  auto url = boost::urls::parse_uri(options_.url);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty()) {
    throw std::invalid_argument("ELASTICSEARCH_URL must be http(s)://host[:port]");
  }
  boost::urls::url bulk = *url;  // credentials stay: the client sends them as Basic
  if (!bulk.has_port()) bulk.set_port("9200");
  std::string path = bulk.path();
  while (!path.empty() && path.back() == '/') path.pop_back();
  bulk.set_path(path + "/_bulk");
  bulk_url_ = std::string{bulk.buffer()};
  start();
}

ElasticsearchSink::~ElasticsearchSink() { stop(); }

std::string ElasticsearchSink::bulk_body(const std::vector<std::string>& rows) const {
  std::string body;
  for (const auto& row : rows) {
    boost::system::error_code ec;
    const auto doc = boost::json::parse(row, ec);
    std::string index = options_.index;
    std::string id;
    if (!ec && doc.is_object()) {
      if (const auto* value = doc.as_object().if_contains("id"); value && value->is_string()) {
        id = value->get_string();
      }
      const auto* at = doc.as_object().if_contains("@timestamp");
      if (options_.daily && at != nullptr && at->is_string() && at->get_string().size() >= 10) {
        std::string date{std::string_view{at->get_string()}.substr(0, 10)};
        std::replace(date.begin(), date.end(), '-', '.');
        index += "-" + date;
      }
    }
    boost::json::object meta{{"_index", index}};
    if (!id.empty()) meta["_id"] = id;
    body += util::json::serialize(boost::json::object{{"index", std::move(meta)}});
    body += '\n';
    body += row;
    body += '\n';
  }
  return body;
}

bool ElasticsearchSink::deliver(unsigned /*delivery*/, const std::vector<std::string>& rows,
                                bool /*replay*/) {
  // Documents have stable ids: sending one again overwrites it, replay or not.
  if (rows.empty()) return true;
  const auto response = client_.send({.method = "POST",
                                      .url = bulk_url_,
                                      .body = bulk_body(rows),
                                      .content_type = "application/x-ndjson"},
                                     options_.timeout);
  if (response.status == 0) return false;  // unreachable or silent: the batch waits

  const unsigned status = response.status;
  if (status == 429 || status >= 500 || status == 401 || status == 403 || status == 404 ||
      status == 408) {
    return false;  // overloaded, down or misconfigured: nothing is dropped
  }
  if (status != 200) {
    for (const auto& row : rows) dead_letter(row);  // the request itself was refused
    return true;
  }
  boost::system::error_code ec;
  const auto reply = boost::json::parse(response.body, ec);
  const auto* items = !ec && reply.is_object() ? reply.as_object().if_contains("items") : nullptr;
  if (items == nullptr || !items->is_array() || items->as_array().size() != rows.size()) {
    return false;  // not an answer we understand: try again
  }
  std::vector<std::size_t> invalid;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& item = items->as_array()[i];
    const auto* result = item.is_object() && !item.as_object().empty()
                             ? &item.as_object().begin()->value()
                             : nullptr;
    const auto* item_status =
        result && result->is_object() ? result->as_object().if_contains("status") : nullptr;
    const std::int64_t code = item_status && item_status->is_int64() ? item_status->as_int64() : 0;
    if (code >= 200 && code < 300) continue;
    if (code == 429 || code >= 500 || code == 0) return false;  // the whole batch again
    invalid.push_back(i);
  }
  for (const auto i : invalid) dead_letter(rows[i]);
  figures_.rows.fetch_add(rows.size() - invalid.size(), std::memory_order_relaxed);
  figures_.batches.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace pend::sinks
