#include "http/request_parser.hpp"

#include "http/api_error.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace pend::http {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

class ParseErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "pend.http"; }
  std::string message(int value) const override {
    switch (static_cast<ParseError>(value)) {
      case ParseError::bad_transfer_encoding:
        return "Transfer-Encoding must end in chunked (once), and not come with Content-Length";
      case ParseError::missing_host:
        return "an HTTP/1.1 request needs a Host header";
      case ParseError::duplicate_host:
        return "a request carries one Host header";
      case ParseError::trailers_not_allowed:
        return "trailer fields are not accepted here";
      case ParseError::chunk_extensions_too_large:
        return "chunk extensions are too large";
      case ParseError::too_many_chunks:
        return "the body has too many chunks";
    }
    return "malformed request";
  }
};

}  // namespace

const boost::system::error_category& parse_error_category() {
  static const ParseErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(ParseError error) {
  return {static_cast<int>(error), parse_error_category()};
}

RequestParser::RequestParser(const ParserLimits& limits)
    : body_(message_.base(), message_.body()), extension_limit_(limits.header_limit) {
  header_limit(limits.header_limit);
  body_limit(limits.body_limit);
}

void RequestParser::on_request_impl(beast_http::verb method, beast::string_view method_string,
                                    beast::string_view target, int version, beast::error_code&) {
  message_.target(target);
  if (method != beast_http::verb::unknown) {
    message_.method(method);
  } else {
    message_.method_string(method_string);
  }
  message_.version(version);
}

void RequestParser::on_field_impl(beast_http::field name, beast::string_view name_string,
                                  beast::string_view value, beast::error_code& ec) {
  if (!header_done_) {
    message_.insert(name, name_string, value);
    return;
  }
  // A trailer field: after the body, where a proxy may have checked nothing.
  if (!accepts_trailers_) {
    ec = ParseError::trailers_not_allowed;
    return;
  }
  trailers_.emplace_back(std::string{name_string}, std::string{value});
}

void RequestParser::on_header_impl(beast::error_code& ec) {
  header_done_ = true;
  std::size_t hosts = 0;
  bool content_length = false;
  std::vector<std::string> codings;  // every Transfer-Encoding coding, in order
  for (const auto& field : message_) {
    if (field.name() == beast_http::field::host) ++hosts;
    if (field.name() == beast_http::field::content_length) content_length = true;
    if (field.name() == beast_http::field::transfer_encoding) {
      for (const auto coding : beast_http::token_list{field.value()}) codings.emplace_back(coding);
      if (beast_http::token_list{field.value()}.begin() ==
          beast_http::token_list{field.value()}.end()) {
        codings.emplace_back();  // an empty or malformed value
      }
    }
  }
  if (!codings.empty()) {
    std::size_t chunked = 0;
    for (const auto& coding : codings) chunked += beast::iequals(coding, "chunked") ? 1 : 0;
    if (content_length || chunked != 1 || !beast::iequals(codings.back(), "chunked")) {
      ec = ParseError::bad_transfer_encoding;
      return;
    }
  }
  if (hosts > 1) {
    ec = ParseError::duplicate_host;
  } else if (hosts == 0 && message_.version() >= 11) {
    ec = ParseError::missing_host;
  }
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      beast::error_code& ec) {
  body_.init(streamed_ ? boost::none : content_length, ec);
}

std::size_t RequestParser::on_body_impl(beast::string_view body, beast::error_code& ec) {
  return body_.put(boost::asio::buffer(body.data(), body.size()), ec);
}

void RequestParser::on_chunk_header_impl(std::uint64_t, beast::string_view extensions,
                                         beast::error_code& ec) {
  extension_bytes_ += extensions.size();
  if (extension_bytes_ > extension_limit_) {
    ec = ParseError::chunk_extensions_too_large;
  } else if (++chunks_ > kMaxChunks) {
    ec = ParseError::too_many_chunks;
  }
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                              beast::error_code& ec) {
  return body_.put(boost::asio::buffer(body.data(), body.size()), ec);
}

void RequestParser::on_finish_impl(beast::error_code& ec) { body_.finish(ec); }

std::optional<ApiError> refusal_for(const boost::system::error_code& ec, ReadPhase phase,
                                    std::size_t body_limit) {
  if (ec == beast_http::error::body_limit) return ApiError::payload_too_large(body_limit);
  if (ec == beast_http::error::header_limit ||
      (ec == beast_http::error::buffer_overflow && phase == ReadPhase::head)) {
    return ApiError{431, "header_too_large", "request header fields are too large"};
  }
  if (ec == beast_http::error::buffer_overflow) {
    return ApiError::bad_request("framing_too_large",
                                 "a chunk header or trailer line of the body is too long");
  }
  if (ec.category() == parse_error_category()) {
    switch (static_cast<ParseError>(ec.value())) {
      case ParseError::bad_transfer_encoding:
        return ApiError::bad_request("bad_transfer_encoding", ec.message());
      case ParseError::missing_host:
      case ParseError::duplicate_host:
        return ApiError::bad_request("bad_host", ec.message());
      case ParseError::trailers_not_allowed:
        return ApiError::bad_request("trailers_not_allowed", ec.message());
      case ParseError::chunk_extensions_too_large:
      case ParseError::too_many_chunks:
        return ApiError::bad_request("framing_too_large", ec.message());
    }
  }
  const bool parse_error =
      ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category();
  if (parse_error && ec != beast_http::error::end_of_stream &&
      ec != beast_http::error::partial_message) {
    return ApiError::bad_request("malformed_request", "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

}  // namespace pend::http
