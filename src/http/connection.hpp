// Connection: one accepted TCP connection, serving HTTP/1.1 requests in order (keep-alive
// and pipelining) under the shard's limits and timeouts. A phase (first byte, idle, head,
// body, write) only moves the connection's deadline; the shard's sweeper closes connections
// past theirs, so serving a request arms no timer at all. Every byte a client sends is
// bounded: the read buffer has a maximum (head limit plus room for one read), which bounds
// chunk-extension and trailer lines too; the parser (http/request_parser.hpp) bounds the
// rest of a chunked body's framing. Nothing a request does ends the process: an exception
// that escapes the pipeline is answered 500, logged with the stack, and the connection
// closes.
#pragma once

#include "http/shard.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <list>
#include <string>

namespace pend::http {

class ApiError;
class ResponseStream;
class RequestParser;
struct RequestContext;
struct RouteMatch;

class Connection {
 public:
  // counted: the peer holds a slot in the shard's per-address limiter (released on close).
  Connection(Shard& shard, boost::asio::ip::tcp::socket socket, boost::asio::ip::address peer,
             bool counted);
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
  enum class Step : std::uint8_t { next, close };
  class StreamedBody;  // a streamed route's body (http/body_stream.hpp)

  void expires_after(std::chrono::steady_clock::duration timeout) {
    deadline_ = std::chrono::steady_clock::now() + timeout;
  }
  boost::asio::awaitable<void> serve();
  // Reads, handles and answers one request.
  boost::asio::awaitable<Step> serve_one(bool first);
  // What an Expect: 100-continue request gets before its body: 100, or the refusal.
  boost::asio::awaitable<Step> continue_or_refuse(RequestParser& parser, const RouteMatch& match);
  boost::asio::awaitable<bool> write_response(RequestContext& ctx, bool keep_alive);
  boost::asio::awaitable<bool> write_stream(ResponseStream& stream);
  boost::asio::awaitable<bool> write_unbounded(ResponseStream& stream, bool chunked);
  boost::asio::awaitable<void> refuse(RequestContext& ctx, const ApiError& error);
  boost::asio::awaitable<void> linger_close();
  boost::asio::awaitable<void> answer_internal_error();

  Shard& shard_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
  std::string head_;  // the response head being written, reused across requests
  boost::asio::ip::address peer_;
  bool counted_;
  std::list<Connection*>::iterator position_;
  bool idle_ = false;
  ResponseStream* streaming_ = nullptr;  // a stream of no known length being written
  RequestContext* handling_ = nullptr;   // while the handler runs
  bool handler_cancelled_ = false;
};

}  // namespace pend::http
