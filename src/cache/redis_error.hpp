// RedisError: why a Redis command did not produce a reply. Callers on the request path treat
// every RedisError as "Redis is not there right now" and degrade (see docs/architecture/cache.md).
#pragma once

#include <stdexcept>
#include <string>

namespace pend::cache {

class RedisError : public std::runtime_error {
 public:
  enum class Kind {
    unavailable,  // not connected, or the connection dropped with the command in flight
    timeout,      // no reply within the command timeout (the connection is then dropped)
    reply,        // Redis answered with an error reply (-ERR, -NOSCRIPT, -WRONGTYPE...)
  };

  RedisError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace pend::cache
