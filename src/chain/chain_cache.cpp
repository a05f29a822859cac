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

namespace {

// KEYS: the stream (also the channel), the epoch. ARGV: how many to keep, then type, data pairs.
constexpr std::string_view kPublishScript = R"lua(
local ids = {}
for i = 2, #ARGV, 2 do
  local data = ARGV[i + 1]
  if ARGV[i] == 'reorg' then
    local epoch = redis.call('INCR', KEYS[2])
    data = string.sub(data, 1, -2) .. ',"epoch":' .. epoch .. '}'
  end
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[i], 'data', data)
  redis.call('PUBLISH', KEYS[1], id .. ' ' .. ARGV[i] .. ' ' .. data)
  ids[#ids + 1] = id
end
return ids
)lua";

}  // namespace

void ChainCache::publish(const std::vector<Event>& events) {
  if (!endpoint_ || events.empty()) return;
  std::vector<std::string> words{"EVAL",
                                 std::string{kPublishScript},
                                 "2",
                                 "blockchain:events",
                                 "blockchain:epoch",
                                 std::to_string(kEventsKept)};
  for (const auto& event : events) {
    words.push_back(event.type);
    words.push_back(util::json::serialize(event.data));
  }
  try {
    if (!redis_) redis_ = std::make_unique<cache::BlockingRedis>(*endpoint_, timeout_);
    redis_->command(words);
    if (unavailable_) {
      unavailable_ = false;
      logging::info("BLOCKCHAIN", "CHAIN_CACHE_AVAILABLE", "blockchain data is cached again");
    }
  } catch (const std::exception& error) {
    redis_.reset();
    if (!unavailable_) {
      unavailable_ = true;
      logging::warn("BLOCKCHAIN", "CHAIN_CACHE_UNAVAILABLE",
                    "blockchain events could not be published",
                    {{"key_type", "events"}, {"error", error.what()}});
    }
  }
}

}  // namespace pend::chain
