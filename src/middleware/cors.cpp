#include "middleware/cors.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>

namespace pend::middleware {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

Cors::Cors(const config::CorsSettings& settings)
    : any_origin_(std::find(settings.allowed_origins.begin(), settings.allowed_origins.end(),
                            "*") != settings.allowed_origins.end()),
      origins_(settings.allowed_origins),
      allow_credentials_(settings.allow_credentials),
      allowed_headers_(join(settings.allowed_headers)),
      exposed_headers_(join(settings.exposed_headers)),
      max_age_(std::to_string(settings.max_age.count())) {}

bool Cors::origin_allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_origin_) return true;
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& allowed) { return beast::iequals(allowed, origin); });
}

void Cors::before(http::RequestContext& ctx) {
  // A preflight is OPTIONS with Access-Control-Request-Method; the browser itself compares
  // the method it wants with the list we send.
  if (ctx.method != http::Method::options ||
      ctx.request[beast_http::field::access_control_request_method].empty()) {
    return;
  }
  const auto origin = ctx.request[beast_http::field::origin];
  if (origin.empty() || ctx.match.path_template == nullptr) return;  // plain OPTIONS or 404
  if (!origin_allowed(origin)) {
    throw http::ApiError::forbidden("origin not allowed by the CORS policy");
  }
  auto& res = ctx.response;
  res.result(beast_http::status::no_content);
  res.set(beast_http::field::access_control_allow_methods, *ctx.match.allow);
  res.set(beast_http::field::access_control_allow_headers, allowed_headers_);
  res.set(beast_http::field::access_control_max_age, max_age_);
  ctx.answered = true;
}

void Cors::after(http::RequestContext& ctx) noexcept {
  const auto origin = ctx.request[beast_http::field::origin];
  auto& res = ctx.response;
  res.set(beast_http::field::vary, "Origin");
  if (!origin_allowed(origin)) return;
  if (any_origin_ && !allow_credentials_) {
    res.set(beast_http::field::access_control_allow_origin, "*");
  } else {
    res.set(beast_http::field::access_control_allow_origin, origin);
    if (allow_credentials_) res.set(beast_http::field::access_control_allow_credentials, "true");
  }
  if (!exposed_headers_.empty() && ctx.method != http::Method::options) {
    res.set(beast_http::field::access_control_expose_headers, exposed_headers_);
  }
}

}  // namespace pend::middleware
