// Redis: the server's Redis access, one pipelined RedisConnection per shard loop. A
// coroutine uses the connection of the loop it runs on (found from its executor), so the
// request path shares nothing across threads and takes no lock.
//
//   cache::Redis redis(cache::redis_options(settings.redis, instance));   // composition root
//   server.on_loop_start([&](auto& loop) { redis.attach(loop); });
//   ...
//   Reply r = co_await redis.command("GET", key);   // in a handler; throws RedisError
#pragma once

#include "cache/redis_connection.hpp"
#include "config/settings.hpp"
#include "health/health_registry.hpp"

#include <boost/asio/this_coro.hpp>

#include <memory>
#include <vector>

namespace pend::metrics {
class PrometheusWriter;
}

namespace pend::cache {

// Throws std::invalid_argument when the URL cannot be used (the loader checks it first).
RedisOptions redis_options(const config::RedisSettings& settings,
                           const std::string& instance_name = "local");

class Redis {
 public:
  explicit Redis(RedisOptions options) : options_(std::move(options)) {}
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // Before the loop runs: gives it a connection, which starts connecting.
  void attach(boost::asio::io_context& loop);
  // After the loops have stopped (or on the loop, in tests): closes every connection.
  void close();

  // The connection of the loop the caller runs on; throws RedisError when it has none.
  RedisConnection& local(const boost::asio::any_io_executor& executor) const;

  template <typename... Args>
  boost::asio::awaitable<Reply> command(const Args&... args) {
    RedisConnection& connection = local(co_await boost::asio::this_coro::executor);
    co_return co_await connection.command(args...);
  }
  template <typename... Args>
  boost::asio::awaitable<Reply> eval(const Script& script, std::size_t key_count,
                                     const Args&... args) {
    RedisConnection& connection = local(co_await boost::asio::this_coro::executor);
    co_return co_await connection.eval(script, key_count, args...);
  }
  boost::asio::awaitable<Reply> command_argv(std::span<const std::string_view> argv);
  boost::asio::awaitable<std::vector<Reply>> pipeline(const Pipeline& commands);

  // Up while every shard's connection is up.
  bool up() const;
  std::size_t connections_up() const;
  std::size_t connections() const { return connections_.size(); }
  const RedisOptions& options() const { return options_; }

  // Readiness: PING through this shard's connection, with the connection figures.
  boost::asio::awaitable<health::CheckResult> check_health();
  void collect(metrics::PrometheusWriter& out) const;

 private:
  RedisOptions options_;
  std::vector<std::shared_ptr<RedisConnection>> connections_;
};

}  // namespace pend::cache
