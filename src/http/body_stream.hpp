// BodyStream: a request body read as it arrives, for routes declared with
// RouteOptions::streamed_body (an upload goes to its writer a piece at a time and is never
// whole in memory). The connection provides it in ctx.body_stream while the handler runs.
//
//   while (true) {
//     const std::string_view piece = co_await ctx.body_stream->next();
//     if (piece.empty()) break;       // the body is complete
//     writer.write(piece);            // valid until the next call
//   }
//
// next() throws ApiError: 413 past the route's body limit, 400 for broken framing, and 400
// body_incomplete when the client went away or stopped sending (server.body_timeout_ms
// between pieces); the handler's cleanup runs as the exception unwinds.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace pend::http {

class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece; empty once the whole body has been read.
  virtual boost::asio::awaitable<std::string_view> next() = 0;
  virtual std::uint64_t received() const = 0;  // body bytes so far
  // From Content-Length; none for a chunked body.
  virtual std::optional<std::uint64_t> content_length() const = 0;
};

// ResponseStream: a response body written as it is produced (a decrypted document). The
// handler sets the status and headers and ctx.response_stream; the pipeline sets
// Content-Length from size(), and the connection writes the head, then each piece next()
// gives until it gives an empty one.
// A next() that throws after the head went out ends the connection: the client sees a body
// shorter than its Content-Length, never a wrong one.
//
// A stream of no known length (Server-Sent Events) answers kUnbounded from size(): it is sent
// chunked (close-delimited to an HTTP/1.0 client) and its connection ends with it. Its next()
// may wait as long as it likes (the connection's write timeout applies to each write, not to
// the waits between), so it must give something (a heartbeat) often enough to notice a client
// gone; when the server drains, stop() asks it to end: its next() then soon gives an empty piece.
class ResponseStream {
 public:
  static constexpr std::uint64_t kUnbounded = ~std::uint64_t{0};

  virtual ~ResponseStream() = default;
  virtual boost::asio::awaitable<std::string_view> next() = 0;
  // The body's length, known before it is written, or kUnbounded.
  virtual std::uint64_t size() const = 0;
  virtual void stop() {}
};

}  // namespace pend::http
