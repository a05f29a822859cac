#include "http/connection.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <poll.h>

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

// The refusal for a request head or body that could not be read.
std::optional<ApiError> refusal_for(const boost::system::error_code& ec, std::size_t body_limit) {
  if (ec == beast_http::error::body_limit) return ApiError::payload_too_large(body_limit);
  if (ec == beast_http::error::header_limit) {
    return ApiError{431, "header_too_large", "request header fields are too large"};
  }
  const bool parse_error =
      ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category();
  if (parse_error && ec != beast_http::error::end_of_stream &&
      ec != beast_http::error::partial_message) {
    return ApiError::bad_request("malformed_request", "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;  // the peer went away or timed out: nobody to answer
}

}  // namespace

Connection::Connection(Shard& shard, tcp::socket socket, boost::asio::ip::address peer)
    : shard_(shard), socket_(std::move(socket)), peer_(peer) {
  expires_after(shard_.settings().idle_timeout);  // the sweeper may look before run() starts
  position_ = shard_.attach(this);
  shard_.counters().connections.fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  shard_.counters().connections.fetch_sub(1, std::memory_order_relaxed);
  shard_.detach(position_);
}

void Connection::on_drain() {
  if (idle_) force_close();
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

asio::awaitable<void> Connection::run() {
  const auto& limits = shard_.settings();
  beast::flat_buffer buffer;

  while (true) {
    // Between requests: wait for the first byte of the next one, up to the idle timeout.
    if (buffer.size() == 0) {
      if (shard_.draining()) break;
      idle_ = true;
      expires_after(limits.idle_timeout);
      auto [ec, n] = co_await socket_.async_read_some(buffer.prepare(kReadChunk), kUseTuple);
      idle_ = false;
      if (ec) break;  // closed, idle timeout, or drained
      buffer.commit(n);
    }

    // The head must arrive whole within header_timeout: a slow client cannot pin us.
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit_bytes));
    parser.body_limit(limits.body_limit_bytes);  // also cuts chunked bodies off at the limit
    expires_after(limits.header_timeout);
    auto [head_ec, head_n] =
        co_await beast_http::async_read_header(socket_, buffer, parser, kUseTuple);
    if (!head_ec && !parser.is_done()) {
      // Content-Length is known now: refuse before reading a byte of an oversized body.
      const auto length = parser.content_length();
      if (length && *length > limits.body_limit_bytes) {
        head_ec = beast_http::error::body_limit;
      } else {
        const auto expect = parser.get()[beast_http::field::expect];
        if (beast::iequals(expect, "100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          expires_after(limits.write_timeout);
          auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kContinue), kUseTuple);
          if (ec) break;
        }
        expires_after(limits.body_timeout);
        std::tie(head_ec, head_n) =
            co_await beast_http::async_read(socket_, buffer, parser, kUseTuple);
      }
    }
    if (head_ec) {
      if (timed_out_) break;  // nobody left to answer
      const std::optional<ApiError> refusal = refusal_for(head_ec, limits.body_limit_bytes);
      if (refusal.has_value()) {
        RequestContext ctx(parser.get());
        ctx.peer_address = peer_;
        co_await refuse(ctx, *refusal);
      }
      break;
    }

    RequestContext ctx(parser.get());
    ctx.peer_address = peer_;
    ctx.response.version(parser.get().version());
    deadline_ = std::chrono::steady_clock::time_point::max();  // handlers bound their own work
    ctx.deadline = std::chrono::steady_clock::now() + limits.request_timeout;
    handling_ = &ctx;
    handler_cancelled_ = false;
    co_await shard_.pipeline().handle(ctx);
    handling_ = nullptr;
    const bool keep_alive = parser.get().keep_alive() && !shard_.draining();
    const bool written = co_await write_response(ctx, keep_alive);
    if (!written || !keep_alive) break;
  }

  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  socket_.close(ec);
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
  co_return !ec;
}

asio::awaitable<void> Connection::refuse(RequestContext& ctx, const ApiError& error) {
  shard_.counters().rejected_requests.fetch_add(1, std::memory_order_relaxed);
  ctx.response.version(11);
  shard_.pipeline().reject(ctx, error);
  // (No co_await inside conditions: GCC 12 miscompiles some of those.)
  const bool written = co_await write_response(ctx, /*keep_alive=*/false);
  if (written) co_await linger_close();
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
