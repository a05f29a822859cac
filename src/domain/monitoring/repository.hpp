// The monitoring tables as the admin read API needs them: api_metrics aggregated per route,
// the latest system_metrics per instance and metric. Everything is computed in SQL.
#pragma once

#include "db/database.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pend::domain::monitoring {

struct RoutePage {
  std::chrono::seconds window{900};
  std::string after_endpoint, after_method;  // keyset: routes after this one
  std::int64_t limit = 50;
};

// {endpoint, method, count, errors, error_rate, client_errors, p50_ms, p95_ms, p99_ms,
//  avg_ms, max_ms, cache_hit_rate, db_p95_ms}, ordered by endpoint and method; limit + 1 rows
// at most (the caller sees whether there is a next page).
boost::asio::awaitable<boost::json::array> route_figures(db::Database& database,
                                                         const db::Scope& scope,
                                                         const RoutePage& page);

struct SystemPage {
  std::chrono::seconds window{900};
  std::string instance;                                      // empty: every instance
  std::string type;                                          // empty: every metric type
  std::string after_instance, after_metric, after_metadata;  // keyset
  std::int64_t limit = 200;
};

// The latest row of each (instance, metric, metadata) in the window: {server_instance,
// metric_type, metric_name, value, unit, threshold_warning, threshold_critical, alert_sent,
// metadata, timestamp, metadata_text (the metadata as PostgreSQL writes it, for cursors)};
// limit + 1 rows at most.
boost::asio::awaitable<boost::json::array> latest_system_figures(db::Database& database,
                                                                 const db::Scope& scope,
                                                                 const SystemPage& page);

}  // namespace pend::domain::monitoring
