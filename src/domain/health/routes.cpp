#include "domain/health/routes.hpp"

#include "domain/health/api.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "util/build_info.hpp"

#include <boost/json/object.hpp>

namespace pend::domain::health {

namespace asio = boost::asio;

namespace {

class HealthRoutes final : public Feature {
 public:
  explicit HealthRoutes(const pend::health::HealthRegistry& registry) : registry_(registry) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> live(http::RequestContext& ctx);
  asio::awaitable<void> ready(http::RequestContext& ctx);

 private:
  const pend::health::HealthRegistry& registry_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// Probes come often from the same load balancer address: never rate limited.
const http::RouteSpec<HealthRoutes> kRoutes[] = {
    {http::Method::get,
     "/api/v1/health/live",
     &HealthRoutes::live,
     {.response = &http::schema_of<api::Liveness>(), .group = "ops", .rate_limited = false}},
    {http::Method::get,
     "/api/v1/health/ready",
     &HealthRoutes::ready,
     {.group = "ops", .rate_limited = false}},
};

boost::json::object to_json(const pend::health::HealthReport& report) {
  boost::json::object checks;
  for (const auto& check : report.checks) {
    boost::json::object entry{{"status", check.result.up ? "up" : "down"},
                              {"critical", check.critical},
                              {"latency_us", check.latency.count()}};
    if (!check.result.detail.empty()) entry["error"] = check.result.detail;
    for (const auto& [name, value] : check.result.figures) entry[name] = value;
    checks[check.name] = std::move(entry);
  }
  const char* status = report.draining   ? "draining"
                       : !report.ready   ? "not_ready"
                       : report.degraded ? "degraded"
                                         : "ready";
  return {{"status", status}, {"checks", std::move(checks)}};
}

void HealthRoutes::add_routes(http::Router& router) {
  http::add_routes<HealthRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> HealthRoutes::live(http::RequestContext& ctx) {
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  http::respond(ctx, 200,
                api::Liveness{.version = std::string{util::build_info().version},
                              .uptime_seconds = uptime.count()});
  co_return;
}

asio::awaitable<void> HealthRoutes::ready(http::RequestContext& ctx) {
  const auto report = co_await registry_.check_all();
  ctx.json(report.ready ? 200 : 503, to_json(report));
  if (!report.ready) ctx.response.set("Retry-After", "5");
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<HealthRoutes>(deps.health);
}

}  // namespace pend::domain::health
