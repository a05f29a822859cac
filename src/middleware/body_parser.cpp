#include "middleware/body_parser.hpp"

#include "http/api_error.hpp"
#include "http/query_params.hpp"
#include "http/request_context.hpp"
#include "http/request_pipeline.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/parser.hpp>

namespace pend::middleware {

namespace beast_http = boost::beast::http;

namespace {

bool is_json_media_type(std::string_view content_type) {
  const auto media_type = content_type.substr(0, content_type.find(';'));
  auto trimmed = media_type;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  return boost::beast::iequals(trimmed, "application/json");
}

}  // namespace

void BodyParser::before(http::RequestContext& ctx) {
  if (ctx.match.route == nullptr) return;
  if (ctx.match.route->options.query == nullptr && !ctx.query.empty()) {
    // A route that declares no parameters takes none: 400 unknown_parameter names the first.
    const http::QueryParams refused(ctx.query, {});
  }
  if (ctx.match.route->options.form_query && ctx.method == http::Method::post &&
      !ctx.request.body().empty() && !http::is_form(ctx.request[beast_http::field::content_type])) {
    throw http::ApiError::unsupported_media_type(
        "Content-Type must be application/x-www-form-urlencoded for this route");
  }
  if (!ctx.match.route->options.takes_json()) return;
  const auto& body = ctx.request.body();
  if (body.empty()) {
    throw http::ApiError::bad_request("body_required", "a JSON request body is required");
  }
  if (!is_json_media_type(ctx.request[beast_http::field::content_type])) {
    throw http::ApiError::unsupported_media_type(
        "Content-Type must be application/json for this route");
  }
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::json::parser parser({}, options);
  boost::system::error_code ec;
  const auto consumed = parser.write(body.data(), body.size(), ec);  // whole document
  if (ec) {
    throw http::ApiError::bad_request("invalid_json",
                                      "request body is not valid JSON: " + ec.message(),
                                      {boost::json::object{{"offset", consumed}}});
  }
  ctx.body = parser.release();
}

}  // namespace pend::middleware
