#include "domain/health/routes.hpp"

#include "app/build_info.hpp"
#include "http/request_context.hpp"

#include <boost/json/object.hpp>

namespace pend::domain::health {

namespace {

const auto kStarted = std::chrono::steady_clock::now();

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

}  // namespace

// Probes come often from the same load balancer address: never rate limited.
constexpr http::RouteOptions kProbe{.group = "ops", .rate_limited = false};

void add_routes(http::Router& router, const pend::health::HealthRegistry& registry) {
  router.add(
      http::Method::get, "/api/v1/health/live",
      [](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
        const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - kStarted);
        ctx.json(200, {{"status", "ok"},
                       {"version", app::build_info().version},
                       {"uptime_seconds", uptime.count()}});
        co_return;
      },
      kProbe);

  router.add(
      http::Method::get, "/api/v1/health/ready",
      [&registry](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
        const auto report = co_await registry.check_all();
        ctx.json(report.ready ? 200 : 503, to_json(report));
        if (!report.ready) ctx.response.set("Retry-After", "5");
      },
      kProbe);
}

}  // namespace pend::domain::health
