#include "domain/health/routes.hpp"

#include "domain/health/api.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "logging/logger.hpp"
#include "util/build_info.hpp"

#include <boost/json/object.hpp>

#include <map>
#include <mutex>

namespace pend::domain::health {

namespace asio = boost::asio;

namespace {

class HealthRoutes final : public Feature {
 public:
  HealthRoutes(const pend::health::HealthRegistry& registry, std::string ops_token)
      : registry_(registry), ops_token_(std::move(ops_token)) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> live(http::RequestContext& ctx);
  asio::awaitable<void> ready(http::RequestContext& ctx);

 private:
  void log_failures(const pend::health::HealthReport& report);

  const pend::health::HealthRegistry& registry_;
  const std::string ops_token_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // When each failing check was last logged: a probe every few seconds logs it once a minute.
  std::mutex logged_mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> logged_;
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

// detail: the checks' error text too, for operations only; everyone else learns which check
// failed and how long it took, never why (an error names hosts and ports).
boost::json::object to_json(const pend::health::HealthReport& report, bool detail) {
  boost::json::object checks;
  for (const auto& check : report.checks) {
    boost::json::object entry{{"status", check.result.up ? "up" : "down"},
                              {"critical", check.critical},
                              {"latency_us", check.latency.count()}};
    if (detail && !check.result.detail.empty()) entry["error"] = check.result.detail;
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
  log_failures(report);
  ctx.json(report.ready ? 200 : 503, to_json(report, ctx.is_ops(ops_token_)));
  if (!report.ready) ctx.response.set("Retry-After", "5");
}

void HealthRoutes::log_failures(const pend::health::HealthReport& report) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& check : report.checks) {
    if (check.result.up) continue;
    {
      std::lock_guard lock(logged_mutex_);
      auto& last = logged_[check.name];
      if (last != std::chrono::steady_clock::time_point{} && now - last < std::chrono::minutes(1)) {
        continue;
      }
      last = now;
    }
    logging::warn("API", "HEALTH_CHECK_FAILED", "a readiness check failed",
                  {{"check", check.name},
                   {"critical", check.critical},
                   {"error", check.result.detail},
                   {"latency_us", static_cast<std::int64_t>(check.latency.count())}});
  }
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<HealthRoutes>(deps.health, deps.settings.ops.token);
}

}  // namespace pend::domain::health
