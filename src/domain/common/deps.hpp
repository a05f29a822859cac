// Deps: what a feature may use, built once by the composition root (src/app/) and handed to
// every feature's make_feature(). References only: the Application owns every component and
// outlives the features. A feature takes what it needs from here and nothing from elsewhere.
#pragma once

#include "cache/cache_service.hpp"
#include "cache/redis.hpp"
#include "cache/session_store.hpp"
#include "config/settings.hpp"
#include "db/database.hpp"
#include "external/http_client.hpp"
#include "health/health_registry.hpp"
#include "logging/logger.hpp"
#include "metrics/registry.hpp"
#include "middleware/rate_limit.hpp"
#include "util/clock.hpp"
#include "util/work_pool.hpp"

namespace pend::domain {

struct Deps {
  const config::Settings& settings;
  const util::Clock& clock;
  logging::Logger& logger;
  db::Database& database;
  cache::Redis& redis;
  // Null when cache.enabled is false: features then read their sources every time.
  cache::CacheService* cache;
  cache::SessionStore& sessions;
  middleware::RateLimit& rate_limit;
  const external::HttpClient& http_client;
  // For work that must not run on a shard's loop (blocking calls, slow hashing).
  util::WorkPool& work;
  health::HealthRegistry& health;
  const metrics::Registry& metrics;
};

}  // namespace pend::domain
