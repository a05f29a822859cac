#include "http/connection.hpp"

#include "http/address_limiter.hpp"
#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "http/request_parser.hpp"
#include "http/server.hpp"
#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <poll.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace pend::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;  // grows when a head needs more; idle costs little
constexpr std::size_t kLingerBytes = 1024 * 1024;  // discarded after a refusal, at most
constexpr auto kLingerTime = std::chrono::seconds(2);
// Room in the read buffer beyond the head limit: one read's worth. Bounds what a client can
// make the server hold while a line (a chunk header, a trailer) is incomplete.
constexpr std::size_t kBufferSlack = 16 * 1024;

// Clears a pointer when the scope ends, however it ends.
template <typename T>
struct ClearOnExit {
  T*& pointer;
  ~ClearOnExit() { pointer = nullptr; }
};
template <typename T>
ClearOnExit(T*&) -> ClearOnExit<T>;  // clang 14 has no aggregate deduction

}  // namespace

// A streamed route's body: each next() reads what the socket has (at most one read buffer's
// worth) and hands it out. The phase deadline is server.body_timeout_ms per read; the
// handler's own budget (server.request_timeout_ms) starts again once the body is complete.
class Connection::StreamedBody final : public BodyStream {
 public:
  StreamedBody(Connection& connection, RequestParser& parser, RequestContext& ctx,
               std::uint64_t limit)
      : connection_(connection), parser_(parser), ctx_(ctx), limit_(limit) {}

  asio::awaitable<std::string_view> next() override {
    if (broken_) throw incomplete();
    auto& piece = parser_.get().body();
    piece.clear();  // what the last call handed out (the capacity stays: no allocation)
    if (!started_) {
      started_ = true;
      ctx_.deadline = std::chrono::steady_clock::time_point::max();
    }
    const auto& limits = connection_.shard_.settings();
    while (!parser_.is_done() && piece.empty()) {
      connection_.expires_after(limits.body_timeout);
      auto [ec, n] = co_await beast_http::async_read_some(connection_.socket_, connection_.buffer_,
                                                          parser_, kUseTuple);
      connection_.deadline_ = std::chrono::steady_clock::time_point::max();
      if (ec) {
        broken_ = true;
        const auto refusal = refusal_for(ec, ReadPhase::body, limit_);
        if (refusal.has_value()) throw *refusal;
        throw incomplete();
      }
    }
    received_ += piece.size();
    if (parser_.is_done() && piece.empty()) {
      ctx_.deadline = std::chrono::steady_clock::now() + limits.request_timeout;
    }
    co_return std::string_view{piece};
  }
  std::uint64_t received() const override { return received_; }
  std::optional<std::uint64_t> content_length() const override {
    const auto length = parser_.content_length();
    return length ? std::optional<std::uint64_t>{*length} : std::nullopt;
  }
  // The connection failed while reading (gone, timed out, refused framing).
  bool broken() const { return broken_; }

 private:
  static ApiError incomplete() {
    return ApiError::bad_request("body_incomplete",
                                 "the request body ended before it was complete");
  }

  Connection& connection_;
  RequestParser& parser_;
  RequestContext& ctx_;
  std::uint64_t limit_;
  std::uint64_t received_ = 0;
  bool started_ = false;
  bool broken_ = false;
};

Connection::Connection(Shard& shard, tcp::socket socket, boost::asio::ip::address peer,
                       bool counted)
    : shard_(shard),
      socket_(std::move(socket)),
      buffer_(shard.settings().header_limit_bytes + kBufferSlack),
      peer_(peer),
      counted_(counted) {
  expires_after(shard_.settings().first_byte_timeout);  // the sweeper may look before run()
  position_ = shard_.attach(this);
  shard_.counters().connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  if (counted_) shard_.addresses().release(peer_);
  shard_.counters().connections.fetch_sub(1, std::memory_order_relaxed);
  shard_.detach(position_);
}

void Connection::on_drain() {
  if (idle_) force_close();
  if (streaming_ != nullptr) streaming_->stop();
}

void Connection::force_close() {
  boost::system::error_code ec;
  socket_.cancel(ec);
  socket_.close(ec);
}

void Connection::close_if_expired(std::chrono::steady_clock::time_point now) {
  if (handling_ != nullptr && !handler_cancelled_ && now - handling_->started > kSweepPeriod) {
    // A slow handler: stop its database work if nobody will read the answer, or if it
    // overran its budget. One poll() per slow request; fast ones are never looked at.
    pollfd peer{socket_.native_handle(), POLLRDHUP, 0};
    const bool client_gone =
        ::poll(&peer, 1, 0) > 0 && (peer.revents & (POLLRDHUP | POLLHUP | POLLERR));
    if (client_gone || now > handling_->deadline) {
      handler_cancelled_ = true;
      handling_->cancel.emit(boost::asio::cancellation_type::terminal);
    }
  }
  if (now < deadline_ || timed_out_) return;
  timed_out_ = true;
  shard_.counters().timeouts.fetch_add(1, std::memory_order_relaxed);
  force_close();
}

// The one boundary: whatever escapes serving a request is logged and answered here, never
// passed to the loop (where it would end the process).
asio::awaitable<void> Connection::run() {
  bool failed = false;
  try {
    co_await serve();
  } catch (const std::exception& error) {
    failed = true;
    logging::error("API", "CONNECTION_EXCEPTION", error.what(),
                   {{"error_stack", logging::current_stack()}});
  } catch (...) {
    failed = true;
    logging::error("API", "CONNECTION_EXCEPTION", "non-standard exception",
                   {{"error_stack", logging::current_stack()}});
  }
  if (failed) co_await answer_internal_error();
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  socket_.close(ec);
}

asio::awaitable<void> Connection::serve() {
  bool first = true;
  while (co_await serve_one(first) == Step::next) first = false;
}

asio::awaitable<Connection::Step> Connection::serve_one(bool first) {
  const auto& limits = shard_.settings();
  // Between requests: wait for the first byte of the next one. A new connection gets the
  // first-byte timeout, a kept-alive one the idle timeout.
  if (buffer_.size() == 0) {
    if (shard_.draining()) co_return Step::close;
    idle_ = true;
    expires_after(first ? limits.first_byte_timeout : limits.idle_timeout);
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kReadChunk), kUseTuple);
    idle_ = false;
    if (ec) co_return Step::close;  // closed, timed out, or drained
    buffer_.commit(n);
  }

  // The head must arrive whole within header_timeout: a slow client cannot pin us. The
  // parser admits the largest body any route does; the matched route's limit applies below.
  const Router& router = shard_.pipeline().router();
  RequestParser parser({.header_limit = static_cast<std::uint32_t>(limits.header_limit_bytes),
                        .body_limit = std::max<std::uint64_t>(limits.body_limit_bytes,
                                                              router.largest_body_limit())});
  ReadPhase phase = ReadPhase::head;
  std::uint64_t body_limit = limits.body_limit_bytes;
  bool streamed = false;
  expires_after(limits.header_timeout);
  auto [read_ec, read_n] =
      co_await beast_http::async_read_header(socket_, buffer_, parser, kUseTuple);
  if (!read_ec && !parser.is_done()) {
    // A body follows. The route says how large it may be, whether it may end in trailers,
    // and whether its handler reads it as it arrives.
    RouteMatch match;
    const std::string_view target = parser.get().target();
    router.match(parse_method(parser.get().method_string()), target.substr(0, target.find('?')),
                 match);
    if (match.route != nullptr) {
      if (match.route->options.body_limit != 0) body_limit = match.route->options.body_limit;
      streamed = match.route->options.streamed_body;
      parser.set_accepts_trailers(match.route->options.accepts_trailers);
    }
    parser.body_limit(body_limit);
    parser.set_streamed(streamed);
    // Content-Length is known now: refuse before reading a byte of an oversized body.
    const auto length = parser.content_length();
    if (length && *length > body_limit) {
      read_ec = beast_http::error::body_limit;
    } else {
      if (co_await continue_or_refuse(parser, match) == Step::close) co_return Step::close;
      if (!streamed) {
        phase = ReadPhase::body;
        expires_after(limits.body_timeout);
        std::tie(read_ec, read_n) =
            co_await beast_http::async_read(socket_, buffer_, parser, kUseTuple);
      }
    }
  }
  if (read_ec) {
    if (timed_out_) co_return Step::close;  // nobody left to answer
    const std::optional<ApiError> refusal = refusal_for(read_ec, phase, body_limit);
    if (refusal.has_value()) {
      RequestContext ctx(parser.get());
      ctx.peer_address = peer_;
      co_await refuse(ctx, *refusal);
    }
    co_return Step::close;
  }

  RequestContext ctx(parser.get());
  ctx.peer_address = peer_;
  ctx.response.version(parser.get().version());
  deadline_ = std::chrono::steady_clock::time_point::max();  // handlers bound their own work
  ctx.deadline = std::chrono::steady_clock::now() + limits.request_timeout;
  StreamedBody body(*this, parser, ctx, body_limit);
  if (streamed) ctx.body_stream = &body;
  {
    handling_ = &ctx;
    const ClearOnExit clear{handling_};
    handler_cancelled_ = false;
    co_await shard_.pipeline().handle(ctx);
  }
  // A body the handler left unread cannot be skipped safely: the connection ends with this
  // response (and reads a little of the rest, so the client sees the response).
  const bool unread = !parser.is_done();
  // A stream of no known length ends its connection (http/body_stream.hpp).
  const bool unbounded =
      ctx.response_stream != nullptr && ctx.response_stream->size() == ResponseStream::kUnbounded;
  const bool keep_alive = parser.get().keep_alive() && !shard_.draining() && !unread && !unbounded;
  const bool written = co_await write_response(ctx, keep_alive);
  if (written && unread && !body.broken()) co_await linger_close();
  co_return written&& keep_alive ? Step::next : Step::close;
}

// Before a body is read, for Expect: 100-continue: the answer the client waits for. A request that
// will be refused whatever its body (no such route, the wrong method, no credentials for a
// signed-in route) is refused now, without inviting the body.
asio::awaitable<Connection::Step> Connection::continue_or_refuse(RequestParser& parser,
                                                                 const RouteMatch& match) {
  Request& request = parser.get();
  if (!beast::iequals(request[beast_http::field::expect], "100-continue")) co_return Step::next;

  std::optional<ApiError> refusal;
  if (match.route == nullptr) {
    refusal = routing_error(match);
  } else if (match.route->options.access != Access::anyone && !match.route->options.ops_access &&
             request.find(beast_http::field::authorization) == request.end()) {
    refusal = ApiError::unauthorized("this route needs a session: Authorization: Bearer <token>");
  }
  if (refusal) {
    RequestContext ctx(request);
    ctx.peer_address = peer_;
    co_await refuse(ctx, *refusal);
    co_return Step::close;
  }
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  expires_after(shard_.settings().write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kContinue), kUseTuple);
  co_return ec ? Step::close : Step::next;
}

asio::awaitable<bool> Connection::write_response(RequestContext& ctx, bool keep_alive) {
  auto& res = ctx.response;
  res.keep_alive(keep_alive);
  // The head is rendered into a buffer the connection keeps, then written with the body in
  // one gather write: cheaper than Beast's general serializer, and no allocation once warm.
  head_.clear();
  head_ += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char status[4];
  const auto status_end = std::to_chars(status, status + sizeof status, res.result_int()).ptr;
  head_.append(status, status_end);
  head_ += ' ';
  const auto reason = res.reason();
  head_ += reason.empty() ? beast_http::obsolete_reason(res.result()) : reason;
  head_ += "\r\n";
  for (const auto& field : res) {
    head_ += field.name_string();
    head_ += ": ";
    head_ += field.value();
    head_ += "\r\n";
  }
  head_ += ctx.static_headers;
  head_ += "\r\n";
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::buffer(res.body())};
  expires_after(shard_.settings().write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, buffers, kUseTuple);
  if (ec || ctx.response_stream == nullptr) co_return !ec;
  if (ctx.response_stream->size() == ResponseStream::kUnbounded) {
    co_return co_await write_unbounded(*ctx.response_stream, res.chunked());
  }
  co_return co_await write_stream(*ctx.response_stream);
}

// A stream of no known length: each piece a chunk (or as it is, close-delimited, for
// HTTP/1.0), and the last chunk when it ends. No deadline while it waits for its next piece
// (it gives heartbeats); each write has write_timeout. A drain stops it (on_drain).
asio::awaitable<bool> Connection::write_unbounded(ResponseStream& stream, bool chunked) {
  streaming_ = &stream;
  const ClearOnExit clear{streaming_};
  if (shard_.draining()) stream.stop();
  std::optional<std::string> failure;
  char size[20];
  while (true) {
    std::string_view piece;
    deadline_ = std::chrono::steady_clock::time_point::max();
    try {
      piece = co_await stream.next();
    } catch (const std::exception& error) {
      failure = error.what();
    }
    if (failure) break;
    expires_after(shard_.settings().write_timeout);
    if (!chunked) {
      if (piece.empty()) co_return true;
      auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(piece), kUseTuple);
      if (ec) co_return false;
      continue;
    }
    if (piece.empty()) {
      static constexpr std::string_view kLast = "0\r\n\r\n";
      auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kLast), kUseTuple);
      co_return !ec;
    }
    auto end = std::to_chars(size, size + sizeof size - 2, piece.size(), 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
    static constexpr std::string_view kCrlf = "\r\n";
    const std::array<asio::const_buffer, 3> buffers = {
        asio::buffer(size, static_cast<std::size_t>(end - size)), asio::buffer(piece),
        asio::buffer(kCrlf)};
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kUseTuple);
    if (ec) co_return false;
  }
  logging::error("API", "RESPONSE_STREAM_FAILED", "a streamed response ended early",
                 {{"error", *failure}});
  co_return false;
}

// A streamed response's body after its head: piece by piece, each within write_timeout.
// A producer that fails now cannot be answered any more: the connection ends short.
asio::awaitable<bool> Connection::write_stream(ResponseStream& stream) {
  std::optional<std::string> failure;
  while (true) {
    std::string_view piece;
    try {
      piece = co_await stream.next();
    } catch (const std::exception& error) {
      failure = error.what();
    }
    if (failure) break;
    if (piece.empty()) co_return true;
    expires_after(shard_.settings().write_timeout);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(piece), kUseTuple);
    if (ec) co_return false;
  }
  logging::error("API", "RESPONSE_STREAM_FAILED", "a streamed response ended early",
                 {{"error", *failure}});
  co_return false;
}

asio::awaitable<void> Connection::refuse(RequestContext& ctx, const ApiError& error) {
  shard_.counters().rejected_requests.fetch_add(1, std::memory_order_relaxed);
  ctx.response.version(11);
  shard_.pipeline().reject(ctx, error);
  // (No co_await inside conditions: GCC 12 miscompiles some of those.)
  const bool written = co_await write_response(ctx, /*keep_alive=*/false);
  if (written) co_await linger_close();
}

// A canned answer for a request whose handling broke in a way the pipeline could not turn
// into an envelope itself. Nothing of the failure is in it.
asio::awaitable<void> Connection::answer_internal_error() {
  static constexpr std::string_view kResponse =
      "HTTP/1.1 500 Internal Server Error\r\n"
      "Content-Type: application/json; charset=utf-8\r\n"
      "Connection: close\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n"
      "Content-Length: 69\r\n\r\n"
      R"({"error":{"code":"internal_error","message":"internal server error"}})";
  expires_after(shard_.settings().write_timeout);
  co_await asio::async_write(socket_, asio::buffer(kResponse), kUseTuple);
}

// After refusing a request whose body we did not read, close our side for writing and read
// (and discard) what the client still sends for a moment: closing with unread data would
// reset the connection and could destroy the response before the client reads it.
asio::awaitable<void> Connection::linger_close() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  std::array<char, 4096> scratch;
  std::size_t discarded = 0;
  expires_after(kLingerTime);
  while (discarded < kLingerBytes) {
    auto [read_ec, n] = co_await socket_.async_read_some(asio::buffer(scratch), kUseTuple);
    if (read_ec) break;
    discarded += n;
  }
}

}  // namespace pend::http
