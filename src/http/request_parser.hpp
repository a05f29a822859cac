// RequestParser: Beast's HTTP/1 request parser (basic_parser) with the server's rules on
// framing, so that a request a proxy and this server could read differently is refused:
//
// - Transfer-Encoding must end in exactly one "chunked" (RFC 9112 section 6.1: a request
//   whose final coding is not chunked cannot be framed: 400, and the connection closes);
//   Transfer-Encoding beside Content-Length is refused too.
// - HTTP/1.1 requests carry exactly one Host, HTTP/1.0 ones at most one (RFC 9112 3.2).
// - Trailer fields are refused unless the route accepts them (set_accepts_trailers), and
//   even then they are kept apart (trailers()), never merged into the headers middleware
//   reads.
// - A chunked body's framing is bounded: extension bytes in all (header_limit) and chunks
//   (kMaxChunks); each line is bounded by the connection's read buffer.
//
//   RequestParser parser(limits);
//   co_await beast::http::async_read_header(socket, buffer, parser, ...);
//   parser.get()   // the request (method, target, headers; the body once read)
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pend::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// Why the parser refused a request (category "pend.http").
enum class ParseError {
  bad_transfer_encoding = 1,  // not ending in chunked, chunked twice, or with Content-Length
  missing_host,
  duplicate_host,
  trailers_not_allowed,
  chunk_extensions_too_large,
  too_many_chunks,
};
const boost::system::error_category& parse_error_category();
boost::system::error_code make_error_code(ParseError error);

struct ParserLimits {
  std::uint32_t header_limit = 16 * 1024;
  std::uint64_t body_limit = 1024 * 1024;
};

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  static constexpr std::uint64_t kMaxChunks = 16 * 1024;

  explicit RequestParser(const ParserLimits& limits);

  Request& get() { return message_; }
  const Request& get() const { return message_; }
  Request release() { return std::move(message_); }

  // Before the body is read: whether this request may end with trailer fields.
  void set_accepts_trailers(bool accepts) { accepts_trailers_ = accepts; }
  // Before the body is read: the body is taken out piece by piece (a streamed route), so
  // no room for the whole of it is reserved up front.
  void set_streamed(bool streamed) { streamed_ = streamed; }
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_string,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override;

  Request message_;
  boost::beast::http::string_body::reader body_;
  bool header_done_ = false;
  bool accepts_trailers_ = false;
  bool streamed_ = false;
  std::vector<std::pair<std::string, std::string>> trailers_;
  std::uint64_t extension_bytes_ = 0;
  std::uint64_t extension_limit_;
  std::uint64_t chunks_ = 0;
};

class ApiError;

// Where reading stopped: in the head (before the blank line) or in the body.
enum class ReadPhase : std::uint8_t { head, body };

// The refusal for a request that could not be read: 413, 431 or a 400 naming what was wrong;
// nullopt when the peer went away or timed out (nobody to answer).
std::optional<ApiError> refusal_for(const boost::system::error_code& ec, ReadPhase phase,
                                    std::size_t body_limit);

}  // namespace pend::http

namespace boost::system {
template <>
struct is_error_code_enum<pend::http::ParseError> : std::true_type {};
}  // namespace boost::system
