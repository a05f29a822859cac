// CacheService: the plan's Redis caching semantics ("Redis Caching Architecture").
//
//   api:{METHOD}:{endpoint}:{md5(params)}  a response, TTL by tier (30 s, 300 s, 3600 s);
//                                          a hash of data, cached_at (ms), ttl (s), content_type
//   blockchain:{type}:{id}                 chain data with its block_number (short TTL)
//   metrics:{type}:{minute}                a minute's figures as JSON (60 s)
//   api:GET:{endpoint}:{md5(params)}:e{n}  an indexed-chain response (CacheTier::chain), n the
//                                          chain epoch (blockchain:epoch, one more per reorg)
//
// params are the query parameters, canonical (decoded, sorted by name, repeated names in
// their order), so ?a=1&b=2 and ?b=2&a=1 are one entry. Invalidation walks keys with SCAN
// in batches and UNLINKs them: never KEYS, which blocks Redis while it walks everything.
// Every call throws RedisError when Redis cannot be used; callers decide how to degrade.
//
//   CacheService cache(redis, settings.cache);
//   co_await cache.cache_api_response("/api/v1/config", "GET", query, body, "application/json",
//                                     cache.ttl(http::CacheTier::default_ttl));
//   auto hit = co_await cache.get_cached_api_response("/api/v1/config", "GET", query);
//   co_await cache.invalidate_pattern("api:GET:/api/v1/explorer/*");
#pragma once

#include "cache/redis.hpp"
#include "config/settings.hpp"
#include "http/route_options.hpp"
#include "util/clock.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pend::cache {

// The canonical JSON object of a query string: {"a":"1","b":["2","3"]}, names sorted; the
// credential parameter, when named, left out.
std::string canonical_params(std::string_view query, std::string_view credential = {});
std::string api_key(std::string_view method, std::string_view endpoint, std::string_view query,
                    std::string_view credential = {});
std::string blockchain_key(std::string_view type, std::string_view id);
std::string metrics_key(std::string_view type, std::chrono::system_clock::time_point at);

struct CachedResponse {
  std::string data;  // the response body as it was served
  std::string content_type;
  std::int64_t cached_at_ms = 0;  // Unix milliseconds
  std::chrono::seconds ttl{0};
  bool cache_hit = true;
  std::chrono::milliseconds age{0};  // now - cached_at
};

struct CachedChainData {
  boost::json::value data;
  std::int64_t block_number = 0;
  std::int64_t cached_at_ms = 0;
};

class CacheService {
 public:
  CacheService(Redis& redis, config::CacheSettings settings,
               const util::Clock& clock = util::system_clock());

  const config::CacheSettings& settings() const { return settings_; }
  std::chrono::seconds ttl(http::CacheTier tier) const;

  boost::asio::awaitable<void> cache_api_response(std::string_view endpoint,
                                                  std::string_view method, std::string_view query,
                                                  std::string_view data,
                                                  std::string_view content_type,
                                                  std::chrono::seconds ttl);
  boost::asio::awaitable<std::optional<CachedResponse>> get_cached_api_response(
      std::string_view endpoint, std::string_view method, std::string_view query);
  // By key, for callers that computed it already (the response cache).
  boost::asio::awaitable<void> put_response(const std::string& key, std::string_view data,
                                            std::string_view content_type,
                                            std::chrono::seconds ttl);
  boost::asio::awaitable<std::optional<CachedResponse>> get_response(const std::string& key);

  boost::asio::awaitable<void> cache_blockchain_data(std::string_view type, std::string_view id,
                                                     const boost::json::value& data,
                                                     std::int64_t block_number,
                                                     std::optional<std::chrono::seconds> ttl = {});
  boost::asio::awaitable<std::optional<CachedChainData>> get_blockchain_data(std::string_view type,
                                                                             std::string_view id);

  boost::asio::awaitable<void> cache_metrics(std::string_view type, const boost::json::value& data);
  // The figures cached for the minute that holds at (this minute by default).
  boost::asio::awaitable<std::optional<boost::json::value>> get_metrics(
      std::string_view type, std::optional<std::chrono::system_clock::time_point> at = {});

  // The chain's epoch (blockchain:epoch in Redis, raised by the indexer at every reorg) as
  // this process last heard it: part of every CacheTier::chain key, api:...:{md5}:e{epoch}.
  std::uint64_t chain_epoch() const { return chain_epoch_.load(std::memory_order_acquire); }
  void set_chain_epoch(std::uint64_t epoch) {
    chain_epoch_.store(epoch, std::memory_order_release);
  }

  // Deletes every key matching the glob pattern; returns how many. SCAN COUNT batch at a time.
  boost::asio::awaitable<std::uint64_t> invalidate_pattern(std::string_view pattern,
                                                           std::size_t batch = 1000);

 private:
  std::int64_t now_ms() const;

  Redis& redis_;
  config::CacheSettings settings_;
  std::atomic<std::uint64_t> chain_epoch_{0};
  const util::Clock& clock_;
};

}  // namespace pend::cache
