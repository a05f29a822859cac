#include "domain/metrics/routes.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "http/route_table.hpp"

#include <sodium.h>

namespace pend::domain::metrics {

namespace asio = boost::asio;

namespace {

class MetricsRoutes final : public Feature {
 public:
  MetricsRoutes(const pend::metrics::Registry& registry, const config::MetricsSettings& settings)
      : registry_(registry), settings_(settings) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> scrape(http::RequestContext& ctx);

 private:
  const pend::metrics::Registry& registry_;
  const config::MetricsSettings& settings_;
};

const http::RouteSpec<MetricsRoutes> kRoutes[] = {
    {http::Method::get,
     "/metrics",
     &MetricsRoutes::scrape,
     {.group = "ops", .rate_limited = false}},
};

// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
bool token_matches(std::string_view offered, const std::string& expected) {
  return offered.size() == expected.size() &&
         sodium_memcmp(offered.data(), expected.data(), expected.size()) == 0;
}

void MetricsRoutes::add_routes(http::Router& router) {
  http::add_routes<MetricsRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> MetricsRoutes::scrape(http::RequestContext& ctx) {
  if (settings_.loopback_only && !ctx.from_this_host()) {
    throw http::ApiError::forbidden("metrics are served to loopback clients only");
  }
  if (!settings_.token.empty()) {
    const std::string_view header = ctx.request[boost::beast::http::field::authorization];
    constexpr std::string_view kBearer = "Bearer ";
    if (!header.starts_with(kBearer) ||
        !token_matches(header.substr(kBearer.size()), settings_.token)) {
      throw http::ApiError::unauthorized("a valid metrics bearer token is required");
    }
  }
  ctx.text(200, registry_.render(), "text/plain; version=0.0.4; charset=utf-8");
  co_return;
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  if (!deps.settings.metrics.enabled) return nullptr;
  return std::make_unique<MetricsRoutes>(deps.metrics, deps.settings.metrics);
}

}  // namespace pend::domain::metrics
