// Server: the process's HTTP listener. One shard per core, each an event loop on its own
// thread with its own SO_REUSEPORT acceptor and its own connections, so the request path
// takes no locks. Enforces the connection limit and survives file-descriptor exhaustion;
// shutdown() drains in-flight requests up to the configured deadline.
//
//   Server server(settings.server, pipeline);
//   server.start();            // binds; throws std::system_error when it cannot
//   ... server.shutdown();     // from any thread, e.g. a signal handler's
//   server.wait();             // returns when every shard has stopped
#pragma once

#include "config/settings.hpp"
#include "http/request_pipeline.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace pend::http {

class AddressLimiter;
class Shard;

// Connection-level counters, read by /metrics.
struct ServerCounters {
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused_over_limit{0};
  std::atomic<std::uint64_t> refused_per_address{0};  // server.max_connections_per_ip
  std::atomic<std::uint64_t> refused_no_descriptors{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> rejected_requests{0};  // 400/413/431 before routing
};

class Server {
 public:
  Server(config::ServerSettings settings, std::shared_ptr<const RequestPipeline> pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Called for each shard's loop in start(), before it runs: per-shard resources (the
  // database pool) attach themselves here.
  using LoopHook = std::function<void(boost::asio::io_context&)>;
  void on_loop_start(LoopHook hook) { loop_hooks_.push_back(std::move(hook)); }

  void start();
  void shutdown();  // idempotent, thread-safe
  void wait();

  std::uint16_t port() const { return port_; }
  std::size_t shard_count() const { return shards_.size(); }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  const ServerCounters& counters() const { return counters_; }

 private:
  friend class Shard;
  config::ServerSettings settings_;
  std::shared_ptr<const RequestPipeline> pipeline_;
  // Before the shards: connections the shards destroy last still count into these.
  ServerCounters counters_;
  std::unique_ptr<AddressLimiter> addresses_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<LoopHook> loop_hooks_;
  std::atomic<bool> draining_{false};
  std::uint16_t port_ = 0;
};

}  // namespace pend::http
