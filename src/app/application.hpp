// Application: the composition root. Builds every component from the settings, wires the
// middleware chain in its fixed order, owns their lifetimes, and runs until SIGTERM/SIGINT.
#pragma once

#include "app/log_sinks.hpp"
#include "config/settings.hpp"
#include "domain/common/feature.hpp"
#include "external/http_client.hpp"
#include "health/health_registry.hpp"
#include "http/router.hpp"
#include "logging/logger.hpp"
#include "metrics/registry.hpp"
#include "util/clock.hpp"

#include <functional>
#include <memory>

namespace pend::http {
class Server;
class RequestPipeline;
class HttpMetrics;
}  // namespace pend::http
namespace pend::db {
class Database;
}  // namespace pend::db
namespace pend::metrics {
class ProcessSampler;
}
namespace pend::workers {
class Alerting;
class WorkerRunner;
}  // namespace pend::workers
namespace pend::cache {
class Redis;
class CacheService;
class SessionStore;
class RateLimiter;
class ResponseCache;
}  // namespace pend::cache
namespace pend::middleware {
class RateLimit;
}

namespace pend::app {

struct ApplicationOptions {
  int log_fd = 2;  // where console log lines go
  // The wall clock every feature reads; null: the system's. Tests pass a ManualClock.
  const util::Clock* clock = nullptr;
  // Reads the configuration again (same sources as at start-up), for SIGHUP: log.level is
  // applied at once. Empty: SIGHUP is ignored.
  std::function<config::Settings()> reload;
};

class Application {
 public:
  explicit Application(config::Settings settings, ApplicationOptions options = {});
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Routes may be added (tests add their own) until start().
  http::Router& router() { return *router_; }
  health::HealthRegistry& health() { return health_; }
  metrics::Registry& metrics() { return metrics_; }
  db::Database& database() { return *database_; }
  cache::Redis& redis() { return *redis_; }
  cache::CacheService& cache() { return *cache_; }
  cache::SessionStore& sessions() { return *sessions_; }
  logging::Logger& logger() { return *logger_; }
  middleware::RateLimit& rate_limit() { return *rate_limit_; }
  const domain::Deps& deps() const { return *deps_; }
  const config::Settings& settings() const { return settings_; }

  void start();  // binds and serves; throws when the port cannot be bound
  std::uint16_t port() const;
  void shutdown();  // begin draining; thread-safe
  void wait();      // until drained (or the deadline passed)
  // Re-reads the configuration (ApplicationOptions::reload) and applies log.level. What
  // SIGHUP does; false (and a warning logged) when the configuration is invalid now.
  bool reload();

  // start(), then block until SIGTERM or SIGINT, drain, and return the exit code.
  int run();

 private:
  void add_features();
  void add_health_checks();
  void add_collectors();

  config::Settings settings_;
  std::function<config::Settings()> reload_;
  const util::Clock& clock_;
  std::unique_ptr<logging::Logger> logger_;
  std::shared_ptr<http::Router> router_;
  std::unique_ptr<db::Database> database_;  // a pool per shard, attached in start()
  std::unique_ptr<cache::Redis> redis_;     // a connection per shard, attached in start()
  std::unique_ptr<cache::CacheService> cache_;
  std::unique_ptr<cache::SessionStore> sessions_;
  std::unique_ptr<cache::RateLimiter> rate_limiter_;
  std::shared_ptr<middleware::RateLimit> rate_limit_;
  std::shared_ptr<cache::ResponseCache> response_cache_;
  external::HttpClient http_client_;
  std::unique_ptr<util::WorkPool> work_;
  health::HealthRegistry health_;
  metrics::Registry metrics_;
  std::unique_ptr<domain::Deps> deps_;
  std::vector<std::unique_ptr<domain::Feature>> features_;
  std::unique_ptr<http::HttpMetrics> http_metrics_;
  std::shared_ptr<http::RequestPipeline> pipeline_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<metrics::ProcessSampler> process_sampler_;
  std::unique_ptr<workers::WorkerRunner> workers_;  // workers.enabled, beside the API
};

}  // namespace pend::app
