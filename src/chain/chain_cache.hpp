// The plan's blockchain cache, written from the chain's worker threads: the head block and
// the balances read from the node, as CacheService keeps them (cache/cache_service.hpp) so
// the API reads them with get_blockchain_data: blockchain:{type}:{id}, a hash of data (JSON),
// block_number and cached_at (Unix ms), expiring after cache.short_ttl_seconds.
//
//   ChainCache cache(endpoint, 30s, 2s);
//   cache.put("head", "latest", {{"number", 42}}, 42);
#pragma once

#include "config/redis_endpoint.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace pend::cache {
class BlockingRedis;
}

namespace pend::chain {

class ChainCache {
 public:
  // No endpoint: put() does nothing.
  ChainCache(std::optional<config::RedisEndpoint> endpoint, std::chrono::seconds ttl,
             std::chrono::milliseconds timeout);
  ~ChainCache();

  // One transaction (MULTI ... EXEC). A Redis that cannot be reached is logged, not thrown:
  // the cache is an optimisation, and the figures are in PostgreSQL either way.
  void put(std::string_view type, std::string_view id, const boost::json::value& data,
           std::uint64_t block_number);

  // The explorer's live events (docs/architecture/chain.md, "Live updates"), in one script:
  // each is added to the stream blockchain:events (its id the event's, the last
  // kEventsKept kept for resuming) and published on the channel blockchain:events as
  // "{id} {type} {data}". A reorg first raises blockchain:epoch, which retires the cached
  // explorer answers, and its data gets "epoch". Failures are logged like put's.
  struct Event {
    std::string type;  // block, reorg
    boost::json::object data;
  };
  static constexpr int kEventsKept = 10'000;
  void publish(const std::vector<Event>& events);

 private:
  std::optional<config::RedisEndpoint> endpoint_;
  std::chrono::seconds ttl_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<cache::BlockingRedis> redis_;  // connected when needed, again after a failure
  bool unavailable_ = false;                     // CHAIN_CACHE_UNAVAILABLE logged
};

}  // namespace pend::chain
