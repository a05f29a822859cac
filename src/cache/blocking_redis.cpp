#include "cache/blocking_redis.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>

namespace pend::cache {

namespace {

timeval to_timeval(std::chrono::milliseconds timeout) {
  return {static_cast<time_t>(timeout.count() / 1000),
          static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
}

BlockingReply convert(const redisReply& reply) {
  BlockingReply out;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      out.type = BlockingReply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = BlockingReply::Type::text;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = BlockingReply::Type::array;
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(convert(*reply.element[i]));
      }
      break;
    default:
      break;  // nil
  }
  return out;
}

}  // namespace

BlockingRedis::BlockingRedis(const config::RedisEndpoint& endpoint,
                             std::chrono::milliseconds timeout)
    : context_(nullptr, &redisFree), where_(endpoint.describe()) {
  const timeval limit = to_timeval(timeout);
  context_.reset(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, limit));
  if (!context_ || context_->err != 0) {
    throw RedisCommandError("Redis " + where_ + " unreachable: " +
                            (context_ ? std::string{context_->errstr} : "out of memory"));
  }
  redisSetTimeout(context_.get(), limit);
  if (!endpoint.password.empty()) {
    try {
      if (endpoint.user.empty()) {
        command({"AUTH", endpoint.password});
      } else {
        command({"AUTH", endpoint.user, endpoint.password});
      }
    } catch (const RedisCommandError&) {
      throw RedisCommandError("Redis " + where_ + " refused the credentials");
    }
  }
  if (endpoint.database != 0) command({"SELECT", std::to_string(endpoint.database)});
}

BlockingRedis::~BlockingRedis() = default;

BlockingReply BlockingRedis::command(const std::vector<std::string>& words) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& word : words) {
    argv.push_back(word.data());
    lengths.push_back(word.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    throw RedisCommandError("Redis " + where_ + ": " + std::string{context_->errstr});
  }
  std::unique_ptr<redisReply, void (*)(void*)> owned(reply, &freeReplyObject);
  if (reply->type == REDIS_REPLY_ERROR) {
    // The command's first word only: the others may be a password.
    throw RedisCommandError("Redis " + where_ + " refused " + words.front() + ": " +
                            std::string{reply->str, reply->len});
  }
  return convert(*reply);
}

std::optional<BlockingReply> BlockingRedis::receive(std::chrono::milliseconds wait) {
  // hiredis treats a read that times out as a broken connection: wait with poll() first, and
  // read only what has arrived.
  void* raw = nullptr;
  const auto take = [&]() -> std::optional<BlockingReply> {
    std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw),
                                                       &freeReplyObject);
    if (owned->type == REDIS_REPLY_ERROR) {
      throw RedisCommandError("Redis " + where_ + ": " + std::string{owned->str, owned->len});
    }
    return convert(*owned);
  };
  if (redisGetReplyFromReader(context_.get(), &raw) != REDIS_OK) {
    throw RedisCommandError("Redis " + where_ + ": " + std::string{context_->errstr});
  }
  if (raw != nullptr) return take();
  pollfd peer{context_->fd, POLLIN, 0};
  const int ready = ::poll(&peer, 1, static_cast<int>(wait.count()));
  if (ready == 0) return std::nullopt;
  if (ready < 0) return std::nullopt;  // a signal: the caller asks again
  if (redisBufferRead(context_.get()) != REDIS_OK ||
      redisGetReplyFromReader(context_.get(), &raw) != REDIS_OK) {
    throw RedisCommandError("Redis " + where_ + ": " + std::string{context_->errstr});
  }
  if (raw == nullptr) return std::nullopt;  // part of a message; the rest comes next time
  return take();
}

}  // namespace pend::cache
