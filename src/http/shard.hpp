// Shard: one event loop on one thread, with its own acceptor and the connections it accepted.
// Everything here is touched only from the shard's own thread, except start/drain, which post
// into it.
#pragma once

#include "config/settings.hpp"
#include "http/request_pipeline.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <list>
#include <memory>
#include <thread>

namespace pend::http {

class AddressLimiter;
class Connection;
struct ServerCounters;

// The sweeper's period: the slack on every connection timeout, and how soon a slow handler
// whose client left is noticed.
inline constexpr std::chrono::milliseconds kSweepPeriod{250};

class Shard {
 public:
  Shard(const config::ServerSettings& settings, const RequestPipeline& pipeline,
        ServerCounters& counters, AddressLimiter& addresses);
  ~Shard();

  // Opens this shard's listening socket (SO_REUSEPORT) on endpoint; returns the bound port.
  std::uint16_t listen(const boost::asio::ip::tcp::endpoint& endpoint);
  void start();  // runs the loop on a new thread
  void drain();  // thread-safe: stop accepting, close idle connections, finish the rest
  void join();
  boost::asio::io_context& loop() { return *io_; }

  // For connections, on the shard's thread.
  const config::ServerSettings& settings() const { return settings_; }
  const RequestPipeline& pipeline() const { return pipeline_; }
  ServerCounters& counters() { return counters_; }
  AddressLimiter& addresses() { return addresses_; }
  bool draining() const { return draining_; }
  std::list<Connection*>::iterator attach(Connection* connection);
  void detach(std::list<Connection*>::iterator position);

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> sweep_expired();
  bool refuse_without_descriptor();
  void begin_drain();
  void stop_if_drained();

  const config::ServerSettings& settings_;
  const RequestPipeline& pipeline_;
  ServerCounters& counters_;
  AddressLimiter& addresses_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<boost::asio::steady_timer> drain_deadline_;
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::list<Connection*> connections_;
  int reserve_fd_ = -1;  // spent to accept-and-refuse when descriptors run out
  bool draining_ = false;
  std::thread thread_;
};

// Writes a canned 503 to a freshly accepted socket and closes it; never blocks.
void refuse_connection(int fd);

}  // namespace pend::http
