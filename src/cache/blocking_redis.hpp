// BlockingRedis: a plain synchronous Redis connection (hiredis) for the background workers,
// which run on threads of their own rather than on a shard's loop: INFO for the
// metrics-collector, SCAN and friends for the cleanup. Every command is bounded by the
// timeout; errors become RedisCommandError. Never on the request path (cache::Redis is).
//
//   BlockingRedis redis(endpoint, 2s);
//   const std::string info = redis.command({"INFO", "memory"}).text;
#pragma once

#include "config/redis_endpoint.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct redisContext;

namespace pend::cache {

class RedisCommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BlockingReply {
  enum class Type : std::uint8_t { nil, integer, text, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string text;                     // status or bulk string
  std::vector<BlockingReply> elements;  // array
};

class BlockingRedis {
 public:
  // Connects, AUTHs and SELECTs; throws RedisCommandError (never with the password).
  BlockingRedis(const config::RedisEndpoint& endpoint, std::chrono::milliseconds timeout);
  ~BlockingRedis();
  BlockingRedis(const BlockingRedis&) = delete;
  BlockingRedis& operator=(const BlockingRedis&) = delete;

  // Throws RedisCommandError on an error reply or a broken connection.
  BlockingReply command(const std::vector<std::string>& words);
  // After SUBSCRIBE: the next message Redis pushes, or nullopt when none came within wait
  // (the connection stays usable). Throws RedisCommandError when the connection broke.
  std::optional<BlockingReply> receive(std::chrono::milliseconds wait);

 private:
  std::unique_ptr<redisContext, void (*)(redisContext*)> context_;
  std::string where_;  // host:port/db, for errors
};

}  // namespace pend::cache
