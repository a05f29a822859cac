#include "chain/chain_cache.hpp"

#include "cache/blocking_redis.hpp"
#include "cache/cache_service.hpp"
#include "logging/logger.hpp"
#include "util/json.hpp"

namespace pend::chain {

ChainCache::ChainCache(std::optional<config::RedisEndpoint> endpoint, std::chrono::seconds ttl,
                       std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), ttl_(ttl), timeout_(timeout) {}

ChainCache::~ChainCache() = default;

void ChainCache::put(std::string_view type, std::string_view id, const boost::json::value& data,
                     std::uint64_t block_number) {
  if (!endpoint_) return;
  const auto key = cache::blockchain_key(type, id);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  try {
    if (!redis_) redis_ = std::make_unique<cache::BlockingRedis>(*endpoint_, timeout_);
    redis_->command({"MULTI"});
    redis_->command({"DEL", key});
    redis_->command({"HSET", key, "data", util::json::serialize(data), "block_number",
                     std::to_string(block_number), "cached_at", std::to_string(now_ms)});
    redis_->command({"EXPIRE", key, std::to_string(ttl_.count())});
    redis_->command({"EXEC"});
    if (unavailable_) {
      unavailable_ = false;
      logging::info("BLOCKCHAIN", "CHAIN_CACHE_AVAILABLE", "blockchain data is cached again");
    }
  } catch (const std::exception& error) {
    redis_.reset();
    if (!unavailable_) {  // once an outage, not once a write
      unavailable_ = true;
      logging::warn("BLOCKCHAIN", "CHAIN_CACHE_UNAVAILABLE", "blockchain data could not be cached",
                    {{"key_type", type}, {"error", error.what()}});
    }
  }
}

}  // namespace pend::chain
