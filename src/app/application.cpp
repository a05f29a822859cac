#include "app/application.hpp"

#include "app/build_info.hpp"
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
#include "domain/health/routes.hpp"
#include "domain/monitoring/routes.hpp"
#include "domain/sessions/routes.hpp"
#include "domain/system/routes.hpp"
#include "http/request_pipeline.hpp"
#include "http/server.hpp"
#include "logging/batch_sink.hpp"
#include "logging/console_sink.hpp"
#include "logging/elasticsearch_sink.hpp"
#include "logging/file_sink.hpp"
#include "logging/postgres_sink.hpp"
#include "metrics/api_metrics_row.hpp"
#include "metrics/http_metrics.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/process_sampler.hpp"
#include "metrics/routes.hpp"
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
#include "workers/catalog.hpp"
#include "workers/runner.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace pend::app {

namespace {

logging::LoggerOptions logger_options(const config::Settings& settings, int fd) {
  logging::LoggerOptions options;
  options.level = logging::parse_level(settings.log.level).value_or(logging::Level::info);
  options.version = std::string{build_info().version};
  options.environment = std::string{config::to_string(settings.environment)};
  options.server_instance = settings.server.instance_name;
  options.fd = fd;
  for (const auto& text : settings.log.sinks) {
    std::string error;
    const auto spec = logging::parse_sink_spec(text, &error);
    if (!spec) throw std::invalid_argument("log.sinks " + error);  // the loader checked it
    if (spec->kind == logging::SinkSpec::Kind::postgres) {
      options.sinks.push_back(std::make_unique<logging::PostgresSink>(logging::PostgresSinkOptions{
          .url = settings.database.url, .level = spec->level, .log_dir = settings.log.dir}));
    } else if (spec->kind == logging::SinkSpec::Kind::console) {
      options.sinks.push_back(
          std::make_unique<logging::ConsoleSink>(fd, spec->level, spec->format));
    } else {
      options.sinks.push_back(std::make_unique<logging::FileSink>(
          logging::FileSinkOptions{.dir = settings.log.dir,
                                   .name = spec->name,
                                   .level = spec->level,
                                   .filter = spec->filter,
                                   .max_bytes = spec->max_bytes,
                                   .retention_days = spec->retention_days}));
    }
  }
  if (!settings.log.elasticsearch_url.empty()) {
    options.sinks.push_back(std::make_unique<logging::ElasticsearchSink>(
        logging::ElasticsearchSinkOptions{.url = settings.log.elasticsearch_url,
                                          .index = settings.log.elasticsearch_index,
                                          .daily = settings.log.elasticsearch_daily,
                                          .log_dir = settings.log.dir}));
  }
  if (settings.metrics.api_metrics) {
    // The api_metrics rows travel the log's pipeline as records of their own kind.
    options.sinks.push_back(std::make_unique<logging::PostgresSink>(
        logging::PostgresSinkOptions{.url = settings.database.url,
                                     .level = logging::Level::trace,
                                     .log_dir = settings.log.dir,
                                     .name = "api_metrics",
                                     .kind = logging::RecordKind::api_metric,
                                     .splice_ids = false,  // made with their ids
                                     .target = metrics::api_metrics_target()}));
  }
  return options;
}

}  // namespace

std::unique_ptr<logging::Logger> make_logger(const config::Settings& settings, int fd) {
  return std::make_unique<logging::Logger>(logger_options(settings, fd));
}

Application::Application(config::Settings settings, ApplicationOptions options)
    : settings_(std::move(settings)),
      reload_(std::move(options.reload)),
      logger_(make_logger(settings_, options.log_fd)),
      router_(std::make_shared<http::Router>()),
      database_(std::make_unique<db::Database>(db::pool_settings(settings_.database))),
      redis_(std::make_unique<cache::Redis>(
          cache::redis_options(settings_.redis, settings_.server.instance_name))),
      cache_(std::make_unique<cache::CacheService>(*redis_, settings_.cache)),
      sessions_(std::make_unique<cache::SessionStore>(*redis_, settings_.session)),
      rate_limiter_(
          std::make_unique<cache::RateLimiter>(*redis_, settings_.rate_limit.local_max_keys)),
      health_(settings_.health.check_timeout) {
  if (logging::global() == nullptr) logging::set_global(logger_.get());
  add_routes();
  add_health_checks();
}

Application::~Application() {
  workers_.reset();
  if (server_) {  // drains and joins the shards before what they use goes away
    server_->shutdown();
    server_->wait();
  }
  database_->close();  // the loops have stopped: pools let go of their connections
  redis_->close();
  server_.reset();
  if (logging::global() == logger_.get()) logging::set_global(nullptr);
}

void Application::add_routes() {
  domain::health::add_routes(*router_, health_);
  domain::system::add_routes(*router_, *database_);
  domain::sessions::add_routes(*router_, *sessions_);
  domain::monitoring::add_routes(*router_, *database_,
                                 settings_.cache.enabled ? cache_.get() : nullptr, settings_.ops);
  if (settings_.metrics.enabled) metrics::add_routes(*router_, metrics_, settings_.metrics);
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
    const auto& c = server_->counters();
    out.family("http_server_open_connections", "gauge", "Open client connections.");
    out.sample("http_server_open_connections", {}, c.connections.load());
    out.family("http_server_connections_accepted_total", "counter", "Connections accepted.");
    out.sample("http_server_connections_accepted_total", {}, c.accepted.load());
    out.family("http_server_connections_refused_total", "counter",
               "Connections answered 503 and closed at once, by reason.");
    out.sample("http_server_connections_refused_total", {{"reason", "connection_limit"}},
               c.refused_over_limit.load());
    out.sample("http_server_connections_refused_total", {{"reason", "no_descriptors"}},
               c.refused_no_descriptors.load());
    out.family("http_server_timeouts_total", "counter",
               "Connections closed because a read or write timed out.");
    out.sample("http_server_timeouts_total", {}, c.timeouts.load());
    out.family("http_server_rejected_requests_total", "counter",
               "Requests refused before routing (malformed, too large).");
    out.sample("http_server_rejected_requests_total", {}, c.rejected_requests.load());
    out.family("pend_log_entries_dropped_total", "counter",
               "Debug/info log entries dropped because the log queue was full.");
    out.sample("pend_log_entries_dropped_total", {}, logger_->dropped());
  });
  metrics_.add([this](metrics::PrometheusWriter& out) { collect_log_sinks(out); });
  metrics_.add([this](metrics::PrometheusWriter& out) {
    if (workers_) workers_->collect(out);
    // Only the instance evaluating alerts now knows how many fire.
    if (alerting_ != nullptr && workers_->running_here("alerting")) alerting_->collect(out);
  });
}

void Application::collect_log_sinks(metrics::PrometheusWriter& out) const {
  std::vector<const logging::BatchSink*> sinks;
  for (const auto& sink : logger_->sinks()) {
    if (const auto* batch = dynamic_cast<const logging::BatchSink*>(sink.get())) {
      sinks.push_back(batch);
    }
  }
  if (sinks.empty()) return;
  auto counter = [&](std::string_view name, std::string_view help, auto read) {
    out.family(name, "counter", help);
    for (const auto* sink : sinks) {
      out.sample(name, {{"sink", sink->name()}}, static_cast<std::uint64_t>(read(sink->figures())));
    }
  };
  using Figures = logging::BatchSinkFigures;
  counter("pend_log_sink_rows_total", "Log entries a server sink stored.",
          [](const Figures& f) { return f.rows.load(); });
  counter("pend_log_sink_spooled_batches_total",
          "Batches written to the local spool because the sink's server could not take them.",
          [](const Figures& f) { return f.spooled.load(); });
  counter("pend_log_sink_replayed_batches_total", "Spooled batches delivered later.",
          [](const Figures& f) { return f.replayed.load(); });
  counter("pend_log_sink_dead_letters_total",
          "Log entries the sink's server refused as invalid, kept in the dead-letter file.",
          [](const Figures& f) { return f.dead_letters.load(); });
  counter("pend_log_sink_lost_total", "Log entries neither stored nor spooled (spool full).",
          [](const Figures& f) { return f.lost.load(); });
  out.family("pend_log_sink_down", "gauge",
             "1 while the sink's server does not answer (its batches wait in the spool).");
  for (const auto* sink : sinks) {
    out.sample("pend_log_sink_down", {{"sink", sink->name()}},
               std::int64_t{sink->figures().down.load() ? 1 : 0});
  }
}

void Application::start() {
  // The chain's order is part of the contract: docs/architecture/request-path.md.
  rate_limit_ =
      std::make_shared<middleware::RateLimit>(settings_.rate_limit, *rate_limiter_, *database_);
  response_cache_ = std::make_shared<cache::ResponseCache>(*cache_, router_->templates());
  std::vector<std::shared_ptr<http::Middleware>> chain = {
      std::make_shared<middleware::RealIp>(settings_.server.trusted_proxies),
      std::make_shared<middleware::RequestId>(),
      std::make_shared<middleware::TraceContextMiddleware>(),
      std::make_shared<middleware::SecurityHeaders>(settings_.server.hsts_always),
      std::make_shared<middleware::Cors>(settings_.cors),
      std::make_shared<middleware::Authenticate>(*sessions_),  // resolves, never refuses
      rate_limit_,
      std::make_shared<middleware::BodyParser>(),
      std::make_shared<middleware::Authorize>(),  // 401/403/503 by the route's Access
      response_cache_,
  };
  http_metrics_ = std::make_unique<metrics::HttpMetrics>(router_->templates());
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
      std::vector<http::ErrorTranslator>{db::to_api_error, cache::to_api_error});
  server_ = std::make_unique<http::Server>(settings_.server, pipeline_);
  server_->on_loop_start([this](boost::asio::io_context& loop) {
    database_->attach(loop);
    redis_->attach(loop);
  });
  if (!settings_.workers.enabled.empty()) {
    workers_ = workers::make_runner(settings_.workers.enabled, settings_, &alerting_);
  }
  add_collectors();
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
