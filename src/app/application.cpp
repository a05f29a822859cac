#include "app/application.hpp"

#include "app/collectors.hpp"
#include "app/features.hpp"
#include "app/workers.hpp"
#include "cache/cache_service.hpp"
#include "cache/error_mapping.hpp"
#include "cache/rate_limiter.hpp"
#include "cache/redis.hpp"
#include "cache/response_cache.hpp"
#include "cache/session_store.hpp"
#include "config/loader.hpp"
#include "db/database.hpp"
#include "db/error_mapping.hpp"
#include "db/health_check.hpp"
#include "domain/admin/denials.hpp"
#include "domain/admin/routes.hpp"
#include "domain/common/errors.hpp"
#include "domain/security/service.hpp"
#include "http/http_metrics.hpp"
#include "http/request_pipeline.hpp"
#include "http/server.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/process_sampler.hpp"
#include "middleware/access_log.hpp"
#include "middleware/api_metrics.hpp"
#include "middleware/authenticate.hpp"
#include "middleware/body_parser.hpp"
#include "middleware/cors.hpp"
#include "middleware/metrics.hpp"
#include "middleware/rate_limit.hpp"
#include "middleware/real_ip.hpp"
#include "middleware/request_id.hpp"
#include "middleware/security_headers.hpp"
#include "middleware/trace_context.hpp"
#include "workers/alerting.hpp"
#include "workers/runner.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace pend::app {

Application::Application(config::Settings settings, ApplicationOptions options)
    : settings_(std::move(settings)),
      reload_(std::move(options.reload)),
      clock_(options.clock != nullptr ? *options.clock : util::system_clock()),
      logger_(make_logger(settings_, options.log_fd)),
      router_(std::make_shared<http::Router>()),
      database_(std::make_unique<db::Database>(db::pool_settings(settings_.database))),
      redis_(std::make_unique<cache::Redis>(
          cache::redis_options(settings_.redis, settings_.server.instance_name))),
      cache_(std::make_unique<cache::CacheService>(*redis_, settings_.cache, clock_)),
      sessions_(std::make_unique<cache::SessionStore>(*redis_, settings_.session, clock_)),
      rate_limiter_(
          std::make_unique<cache::RateLimiter>(*redis_, settings_.rate_limit.local_max_keys)),
      rate_limit_(std::make_shared<middleware::RateLimit>(
          settings_.rate_limit, *rate_limiter_,
          [this](const boost::asio::any_io_executor& loop, const http::RequestContext& ctx,
                 const middleware::RateLimitRefusal& refusal) {
            domain::security::record_rate_limit_refusal(*database_, loop, ctx, refusal);
          })),
      work_(std::make_unique<util::WorkPool>(settings_.server.work_threads)),
      health_(settings_.health.check_timeout) {
  if (logging::global() == nullptr) logging::set_global(logger_.get());
  deps_ = std::make_unique<domain::Deps>(domain::Deps{
      .settings = settings_,
      .clock = clock_,
      .logger = *logger_,
      .database = *database_,
      .redis = *redis_,
      .cache = settings_.cache.enabled ? cache_.get() : nullptr,
      .sessions = *sessions_,
      .rate_limit = *rate_limit_,
      .http_client = http_client_,
      .work = *work_,
      .health = health_,
      .metrics = metrics_,
  });
  add_features();
  add_health_checks();
}

Application::~Application() {
  workers_.reset();
  for (const auto& feature : features_) feature->stop();
  if (server_) {  // drains and joins the shards before what they use goes away
    server_->shutdown();
    server_->wait();
  }
  database_->close();  // the loops have stopped: pools let go of their connections
  redis_->close();
  server_.reset();
  if (logging::global() == logger_.get()) logging::set_global(nullptr);
}

void Application::add_features() {
  for (const auto& entry : feature_table()) {
    auto feature = entry.make(*deps_);
    if (!feature) continue;  // switched off by its settings
    feature->add_routes(*router_);
    features_.push_back(std::move(feature));
  }
}

void Application::add_health_checks() {
  // Through the pool of the shard that serves the probe: proves the request path's own
  // connections work, opens none per probe, and reports the pools across all shards.
  health_.add("postgresql", [this](std::chrono::milliseconds timeout) {
    return db::check_health(*database_, timeout);
  });
  // Through the shard's own connection. Not critical: without Redis the server degrades
  // (caches miss, rate limits go per instance, signed-in routes answer 503) but serves.
  health_.add(
      "redis", [this](std::chrono::milliseconds) { return redis_->check_health(); },
      /*critical=*/false);
}

void Application::add_collectors() {
  metrics_.add(metrics::collect_build_info);
  metrics_.add(metrics::collect_process_metrics);
  metrics_.add([this](metrics::PrometheusWriter& out) { http_metrics_->collect(out); });
  metrics_.add([this](metrics::PrometheusWriter& out) { database_->collect(out); });
  metrics_.add([this](metrics::PrometheusWriter& out) { redis_->collect(out); });
  metrics_.add([this](metrics::PrometheusWriter& out) { response_cache_->collect(out); });
  metrics_.add([this](metrics::PrometheusWriter& out) { rate_limit_->collect(out); });
  metrics_.add([this](metrics::PrometheusWriter& out) {
    collect_server(out, server_->counters(), *logger_);
  });
  metrics_.add([this](metrics::PrometheusWriter& out) { collect_log_sinks(out, *logger_); });
  for (const auto& feature : features_) {
    metrics_.add([&feature](metrics::PrometheusWriter& out) { feature->collect(out); });
  }
  metrics_.add([this](metrics::PrometheusWriter& out) {
    // Each worker's own figures come from the instance it runs on now (its lease holder).
    if (workers_) workers_->collect(out);
  });
}

void Application::start() {
  // The chain's order is part of the contract: docs/architecture/request-path.md.
  response_cache_ = std::make_shared<cache::ResponseCache>(*cache_, router_->templates());
  std::vector<std::shared_ptr<http::Middleware>> chain = {
      std::make_shared<middleware::RealIp>(settings_.server.trusted_proxies),
      std::make_shared<middleware::RequestId>(),
      std::make_shared<middleware::TraceContextMiddleware>(),
      std::make_shared<middleware::SecurityHeaders>(settings_.server.hsts_always),
      std::make_shared<middleware::Cors>(settings_.cors),
      std::make_shared<middleware::Authenticate>(  // resolves, never refuses
          *sessions_,
          [this](std::string admin_id) {
            return domain::admin::current_role(*database_, std::move(admin_id));
          }),
      rate_limit_,
      std::make_shared<middleware::BodyParser>(),
      // 401/403/503 by the route's Access and permission
      std::make_shared<middleware::Authorize>(
          settings_.ops.token,
          [this](const boost::asio::any_io_executor& loop, const http::RequestContext& ctx,
                 std::string_view why) {
            domain::admin::record_denial(loop, *database_, clock_, ctx, why);
          }),
      response_cache_,
  };
  http_metrics_ = std::make_unique<http::HttpMetrics>(router_->templates());
  std::vector<std::shared_ptr<http::RequestObserver>> observers = {
      std::make_shared<middleware::Metrics>(*http_metrics_)};
  if (settings_.metrics.api_metrics) {
    process_sampler_ = std::make_unique<metrics::ProcessSampler>();
    observers.push_back(std::make_shared<middleware::ApiMetrics>(
        *logger_, *process_sampler_, settings_.metrics.api_metrics_sample_percent));
  }
  if (settings_.log.access_log) {
    observers.push_back(std::make_shared<middleware::AccessLog>(*logger_));
  }
  pipeline_ = std::make_shared<http::RequestPipeline>(
      router_, std::move(chain), std::move(observers),
      std::vector<http::ErrorTranslator>{domain::to_api_error, db::to_api_error,
                                         cache::to_api_error});
  server_ = std::make_unique<http::Server>(settings_.server, pipeline_);
  server_->on_loop_start([this](boost::asio::io_context& loop) {
    database_->attach(loop);
    redis_->attach(loop);
  });
  if (!settings_.workers.enabled.empty()) {
    workers_ = make_runner(settings_.workers.enabled, settings_);
  }
  add_collectors();
  if (settings_.auth.phone_pepper.empty()) {
    // Allowed outside production only (the loader refuses it there): hashes made with the
    // fixed development pepper are worthless as protection of real numbers.
    logging::warn("SECURITY", "DEVELOPMENT_PEPPER",
                  "auth.phone_pepper is empty: phone hashes use the development pepper; "
                  "never use this instance with real phone numbers");
  }
  server_->start();
  if (workers_) workers_->start();
}

std::uint16_t Application::port() const { return server_ ? server_->port() : 0; }

void Application::shutdown() {
  health_.set_draining();
  if (server_) server_->shutdown();
}

void Application::wait() {
  if (server_) server_->wait();
  if (workers_) workers_->stop();  // runs in progress finish first
  database_->close();
  redis_->close();
  logging::info("API", "SERVER_STOPPED", "stopped");
  logger_->flush();
}

bool Application::reload() {
  if (!reload_) return false;
  try {
    const config::Settings fresh = reload_();
    const auto level = logging::parse_level(fresh.log.level).value_or(logging::Level::info);
    const std::string before = settings_.log.level;
    logger_->set_level(level);
    settings_.log.level = fresh.log.level;
    logging::warn("GENERAL", "LOG_LEVEL_CHANGED", "configuration reloaded (SIGHUP)",
                  {{"log_level", fresh.log.level}, {"previous_log_level", before}});
    return true;
  } catch (const config::ConfigError& error) {
    std::string problems;
    for (const auto& problem : error.problems())
      problems += (problems.empty() ? "" : "; ") + problem;
    logging::warn("GENERAL", "CONFIG_RELOAD_FAILED", "configuration not reloaded: invalid",
                  {{"problems", problems}});
    return false;
  }
}

int Application::run() {
  // Signals are waited for on the main thread's own loop; shards never see them.
  boost::asio::io_context signals_loop;
  boost::asio::signal_set signals(signals_loop, SIGINT, SIGTERM);
  boost::asio::signal_set hangup(signals_loop, SIGHUP);
  std::function<void()> wait_for_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      reload();
      wait_for_hangup();
    });
  };
  wait_for_hangup();
  start();
  signals.async_wait([this, &hangup](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    logging::info("API", "SHUTDOWN_REQUESTED", "signal received", {{"signal", signal}});
    hangup.cancel();
    shutdown();
  });
  signals_loop.run();
  wait();
  return 0;
}

}  // namespace pend::app
