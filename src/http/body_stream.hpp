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
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual boost::asio::awaitable<std::string_view> next() = 0;
  virtual std::uint64_t size() const = 0;  // the body's length, known before it is written
};

}  // namespace pend::http
