#include "metrics/routes.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"

#include <sodium.h>

namespace pend::metrics {

namespace {

// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
bool token_matches(std::string_view offered, const std::string& expected) {
  return offered.size() == expected.size() &&
         sodium_memcmp(offered.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

void add_routes(http::Router& router, const Registry& registry,
                const config::MetricsSettings& settings) {
  router.add(
      http::Method::get, "/metrics",
      [&registry, settings](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
        if (settings.loopback_only && !ctx.from_this_host()) {
          throw http::ApiError::forbidden("metrics are served to loopback clients only");
        }
        if (!settings.token.empty()) {
          const std::string_view header = ctx.request[boost::beast::http::field::authorization];
          constexpr std::string_view kBearer = "Bearer ";
          if (!header.starts_with(kBearer) ||
              !token_matches(header.substr(kBearer.size()), settings.token)) {
            throw http::ApiError::unauthorized("a valid metrics bearer token is required");
          }
        }
        ctx.text(200, registry.render(), "text/plain; version=0.0.4; charset=utf-8");
        co_return;
      },
      http::RouteOptions{.group = "ops", .rate_limited = false});
}

}  // namespace pend::metrics
