// Connection: one accepted TCP connection, serving HTTP/1.1 requests in order (keep-alive
// and pipelining) under the shard's limits and timeouts.
#pragma once

#include "http/shard.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <list>

namespace pend::http {

class ApiError;
struct RequestContext;

class Connection {
 public:
  Connection(Shard& shard, boost::asio::ip::tcp::socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::awaitable<void> run();

  // Called by the shard when it drains: an idle connection closes now; a busy one closes
  // after its current response.
  void on_drain();
  void force_close();

 private:
  boost::asio::awaitable<bool> write_response(RequestContext& ctx, bool keep_alive);
  boost::asio::awaitable<void> refuse(RequestContext& ctx, const ApiError& error);
  boost::asio::awaitable<void> linger_close();

  Shard& shard_;
  boost::beast::tcp_stream stream_;
  boost::asio::ip::address peer_;
  std::list<Connection*>::iterator position_;
  bool idle_ = false;
};

}  // namespace pend::http
