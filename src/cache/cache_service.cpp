#include "cache/cache_service.hpp"

#include "cache/redis_error.hpp"
#include "security/digest.hpp"
#include "util/json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <vector>

namespace pend::cache {

namespace asio = boost::asio;
using std::chrono::system_clock;

namespace {

std::int64_t unix_ms(system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// EXEC answers nil when the transaction was aborted, and an error when a command in it
// was refused before it ran.
void check_transaction(const std::vector<Reply>& replies) {
  for (const auto& reply : replies) {
    if (reply.is_error()) {
      throw RedisError(RedisError::Kind::reply, "Redis: " + std::string{reply.text()});
    }
  }
  if (replies.empty() || replies.back().is_nil()) {
    throw RedisError(RedisError::Kind::reply, "Redis: transaction aborted");
  }
}

}  // namespace

std::string canonical_params(std::string_view query, std::string_view credential) {
  if (query.empty()) return "{}";
  std::vector<std::pair<std::string, std::string>> params;
  // Boost.URL 1.81's parse_query runs strlen past the view's end: parse a terminated copy,
  // never a view into the request target.
  const std::string text{query};
  if (auto parsed = boost::urls::parse_query(text)) {
    for (const auto& param : *parsed) {
      if (!credential.empty() && param.key.decode() == credential) continue;
      params.emplace_back(param.key.decode(),
                          param.has_value ? param.value.decode() : std::string{});
    }
  } else {
    params.emplace_back("", std::string{query});  // not decodable: the raw text decides
  }
  // Sorted by name; a repeated name keeps its values in the order they came.
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  boost::json::object object;
  for (std::size_t i = 0; i < params.size();) {
    std::size_t end = i + 1;
    while (end < params.size() && params[end].first == params[i].first) ++end;
    if (end - i == 1) {
      object[params[i].first] = params[i].second;
    } else {
      boost::json::array values;
      for (std::size_t j = i; j < end; ++j) values.emplace_back(params[j].second);
      object[params[i].first] = std::move(values);
    }
    i = end;
  }
  // boost::json::object keeps insertion order, which is the sorted order here.
  return util::json::serialize(object);
}

std::string api_key(std::string_view method, std::string_view endpoint, std::string_view query,
                    std::string_view credential) {
  std::string key = "api:";
  key += method;
  key += ':';
  key += endpoint;
  key += ':';
  key += security::md5_hex(canonical_params(query, credential));
  return key;
}

std::string blockchain_key(std::string_view type, std::string_view id) {
  return "blockchain:" + std::string{type} + ":" + std::string{id};
}

std::string metrics_key(std::string_view type, system_clock::time_point at) {
  return "metrics:" + std::string{type} + ":" + std::to_string(unix_ms(at) / 60'000);
}

CacheService::CacheService(Redis& redis, config::CacheSettings settings, const util::Clock& clock)
    : redis_(redis), settings_(std::move(settings)), clock_(clock) {}

std::int64_t CacheService::now_ms() const { return unix_ms(clock_.now()); }

std::chrono::seconds CacheService::ttl(http::CacheTier tier) const {
  switch (tier) {
    case http::CacheTier::short_ttl:
    case http::CacheTier::chain:
      return settings_.short_ttl;
    case http::CacheTier::long_ttl:
      return settings_.long_ttl;
    case http::CacheTier::none:
    case http::CacheTier::default_ttl:
      break;
  }
  return settings_.default_ttl;
}

asio::awaitable<void> CacheService::cache_api_response(
    std::string_view endpoint, std::string_view method, std::string_view query,
    std::string_view data, std::string_view content_type, std::chrono::seconds ttl) {
  const std::string key = api_key(method, endpoint, query);
  co_await put_response(key, data, content_type, ttl);
}

asio::awaitable<std::optional<CachedResponse>> CacheService::get_cached_api_response(
    std::string_view endpoint, std::string_view method, std::string_view query) {
  const std::string key = api_key(method, endpoint, query);
  co_return co_await get_response(key);
}

asio::awaitable<void> CacheService::put_response(const std::string& key, std::string_view data,
                                                 std::string_view content_type,
                                                 std::chrono::seconds ttl) {
  // One transaction: the entry never exists without its expiry, and whatever held the key
  // before (an older format, another type) is replaced rather than merged into.
  Pipeline write;
  write.add("MULTI")
      .add("DEL", key)
      .add("HSET", key, "data", data, "cached_at", now_ms(), "ttl", ttl.count(), "content_type",
           content_type)
      .add("EXPIRE", key, ttl.count())
      .add("EXEC");
  check_transaction(co_await redis_.pipeline(write));
}

asio::awaitable<std::optional<CachedResponse>> CacheService::get_response(const std::string& key) {
  Reply reply = co_await redis_.command("HMGET", key, "data", "cached_at", "ttl", "content_type");
  const auto cached_at = reply[1].integer();
  if (reply.size() != 4 || reply[0].is_nil() || !cached_at) co_return std::nullopt;
  CachedResponse cached;
  cached.data = reply[0].text();
  cached.cached_at_ms = *cached_at;
  cached.ttl = std::chrono::seconds(reply[2].integer().value_or(0));
  cached.content_type = reply[3].text();
  cached.age = std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms() - *cached_at));
  co_return cached;
}

asio::awaitable<void> CacheService::cache_blockchain_data(std::string_view type,
                                                          std::string_view id,
                                                          const boost::json::value& data,
                                                          std::int64_t block_number,
                                                          std::optional<std::chrono::seconds> ttl) {
  const std::string key = blockchain_key(type, id);
  const std::string text = util::json::serialize(data);
  const auto seconds = ttl.value_or(settings_.short_ttl).count();
  Pipeline write;
  write.add("MULTI")
      .add("DEL", key)
      .add("HSET", key, "data", text, "block_number", block_number, "cached_at", now_ms())
      .add("EXPIRE", key, seconds)
      .add("EXEC");
  check_transaction(co_await redis_.pipeline(write));
}

asio::awaitable<std::optional<CachedChainData>> CacheService::get_blockchain_data(
    std::string_view type, std::string_view id) {
  const std::string key = blockchain_key(type, id);
  Reply reply = co_await redis_.command("HMGET", key, "data", "block_number", "cached_at");
  if (reply.size() != 3 || reply[0].is_nil()) co_return std::nullopt;
  boost::system::error_code ec;
  CachedChainData cached;
  cached.data = boost::json::parse(reply[0].text(), ec);
  if (ec) co_return std::nullopt;  // not ours: a miss, overwritten on the next store
  cached.block_number = reply[1].integer().value_or(0);
  cached.cached_at_ms = reply[2].integer().value_or(0);
  co_return cached;
}

asio::awaitable<void> CacheService::cache_metrics(std::string_view type,
                                                  const boost::json::value& data) {
  const std::string key = metrics_key(type, clock_.now());
  const std::string text = util::json::serialize(data);
  co_await redis_.command("SET", key, text, "EX", 60);
}

asio::awaitable<std::optional<boost::json::value>> CacheService::get_metrics(
    std::string_view type, std::optional<system_clock::time_point> at) {
  const std::string key = metrics_key(type, at.value_or(clock_.now()));
  Reply reply = co_await redis_.command("GET", key);
  if (reply.is_nil()) co_return std::nullopt;
  boost::system::error_code ec;
  auto value = boost::json::parse(reply.text(), ec);
  if (ec) co_return std::nullopt;
  co_return value;
}

asio::awaitable<std::uint64_t> CacheService::invalidate_pattern(std::string_view pattern,
                                                                std::size_t batch) {
  std::uint64_t removed = 0;
  std::string cursor = "0";
  do {
    Reply page = co_await redis_.command("SCAN", cursor, "MATCH", pattern, "COUNT", batch);
    if (page.size() != 2) throw RedisError(RedisError::Kind::reply, "Redis: odd SCAN reply");
    cursor = page[0].text();
    const auto keys = page[1];
    if (keys.size() > 0) {
      // UNLINK frees memory off Redis's main thread; it counts only keys that still
      // existed, so a key SCAN returns twice is counted once.
      std::vector<std::string_view> names;
      names.reserve(keys.size() + 1);
      names.emplace_back("UNLINK");
      for (std::size_t i = 0; i < keys.size(); ++i) names.push_back(keys[i].text());
      Reply deleted = co_await redis_.command_argv(names);
      removed += static_cast<std::uint64_t>(deleted.integer().value_or(0));
    }
  } while (cursor != "0");
  co_return removed;
}

}  // namespace pend::cache
