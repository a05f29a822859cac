// Redis for tests. TempRedis: a redis-server of its own on a free port (for tests that stop,
// kill, restart it, need a password, or must see every key), started with the same
// scripts/lib/services.sh functions the project's scripts use. RedisOnLoop: the server's
// Redis client attached to a loop of the test's own, for tests below the HTTP layer.
#pragma once

#include "cache/redis.hpp"

#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

namespace pend::test {

class TempRedis {
 public:
  // extra: redis-server options (--requirepass secret ...). Outside scripts/test (no
  // PEND_TEST_REDIS_URL) nothing is started and available() is false: tests then skip.
  explicit TempRedis(std::vector<std::string> extra = {});
  static bool available();
  ~TempRedis();
  TempRedis(const TempRedis&) = delete;
  TempRedis& operator=(const TempRedis&) = delete;

  std::string url(const std::string& userinfo = "", unsigned db = 0) const;
  std::uint16_t port() const { return port_; }
  void start();  // on the same port as before
  void stop();   // SIGTERM, waits for the exit
  void kill();   // SIGKILL, as a crash would, and waits for the exit

 private:
  std::string dir_;
  std::vector<std::string> extra_;
  std::uint16_t port_ = 0;
};

// options.endpoint etc. as given; the client is attached to this object's loop.
struct RedisOnLoop {
  explicit RedisOnLoop(cache::RedisOptions options);
  explicit RedisOnLoop(const std::string& url);
  ~RedisOnLoop();
  RedisOnLoop(const RedisOnLoop&) = delete;
  RedisOnLoop& operator=(const RedisOnLoop&) = delete;

  boost::asio::io_context loop;
  cache::Redis redis;
};

// A free loopback port, chosen the way scripts/lib/services.sh chooses the servers' ports.
std::uint16_t free_port();
// Options for url with short timeouts, so tests of failures do not wait long.
cache::RedisOptions quick_options(const std::string& url);

}  // namespace pend::test
