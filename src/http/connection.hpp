// Connection: one accepted TCP connection, serving HTTP/1.1 requests in order (keep-alive
// and pipelining) under the shard's limits and timeouts. A phase (idle, head, body, write)
// only moves the connection's deadline; the shard's sweeper closes connections past theirs,
// so serving a request arms no timer at all.
#pragma once

#include "http/shard.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>

#include <list>

namespace pend::http {

class ApiError;
struct RequestContext;

class Connection {
 public:
  Connection(Shard& shard, boost::asio::ip::tcp::socket socket, boost::asio::ip::address peer);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::awaitable<void> run();

  // Called by the shard when it drains: an idle connection closes now; a busy one closes
  // after its current response.
  void on_drain();
  void force_close();

  // For the shard's sweeper: closes the connection when its current phase overran, and
  // cancels the handler's work when its client left or its deadline passed.
  void close_if_expired(std::chrono::steady_clock::time_point now);

 private:
  void expires_after(std::chrono::steady_clock::duration timeout) {
    deadline_ = std::chrono::steady_clock::now() + timeout;
  }
  boost::asio::awaitable<bool> write_response(RequestContext& ctx, bool keep_alive);
  boost::asio::awaitable<void> refuse(RequestContext& ctx, const ApiError& error);
  boost::asio::awaitable<void> linger_close();

  Shard& shard_;
  boost::asio::ip::tcp::socket socket_;
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
  std::string head_;  // the response head being written, reused across requests
  boost::asio::ip::address peer_;
  std::list<Connection*>::iterator position_;
  bool idle_ = false;
  RequestContext* handling_ = nullptr;  // while the handler runs
  bool handler_cancelled_ = false;
};

}  // namespace pend::http
