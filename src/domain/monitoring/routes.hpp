// The admin read API over the monitoring tables: per-route figures from api_metrics and the
// latest system_metrics per instance. Until admin sign-in lands they answer loopback
// clients, or a caller with "Authorization: Bearer <ops.token>"; 403 otherwise.
//
//   GET /api/v1/admin/metrics/api?window=15m&limit=50&cursor=...
//   GET /api/v1/admin/metrics/system?instance=api-1&type=cpu&window=15m&limit=200&cursor=...
#pragma once

#include "cache/cache_service.hpp"
#include "config/settings.hpp"
#include "db/database.hpp"
#include "http/router.hpp"

namespace pend::domain::monitoring {

// cache: the plan's metrics:{type}:{minute} entries for the default views, or null (cache.enabled
// false) to read PostgreSQL every time.
void add_routes(http::Router& router, db::Database& database, cache::CacheService* cache,
                const config::OpsSettings& ops);

}  // namespace pend::domain::monitoring
