#include "domain/monitoring/repository.hpp"

#include "domain/common/pagination.hpp"

namespace pend::domain::monitoring {

namespace {

constexpr db::Statement kRouteFigures{
    "api_metrics.per_route",
    "SELECT endpoint, method, count(*)::int8 AS count, "
    "count(*) FILTER (WHERE status_code >= 500)::int8 AS errors, "
    "round((count(*) FILTER (WHERE status_code >= 500))::numeric / count(*), 4)::float8 "
    "AS error_rate, "
    "count(*) FILTER (WHERE status_code BETWEEN 400 AND 499)::int8 AS client_errors, "
    "round(percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms)::numeric, 2)::float8 "
    "AS p50_ms, "
    "round(percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms)::numeric, 2)::float8 "
    "AS p95_ms, "
    "round(percentile_cont(0.99) WITHIN GROUP (ORDER BY response_time_ms)::numeric, 2)::float8 "
    "AS p99_ms, "
    "round(avg(response_time_ms), 2)::float8 AS avg_ms, max(response_time_ms)::int8 AS max_ms, "
    "round(avg(cache_hit::int), 4)::float8 AS cache_hit_rate, "
    "round(percentile_cont(0.95) WITHIN GROUP (ORDER BY database_query_time_ms)::numeric, "
    "2)::float8 "
    "AS db_p95_ms "
    "FROM api_metrics WHERE timestamp > now() - make_interval(secs => $1) "
    "AND (endpoint, method) > ($2::text, $3::text) "
    "GROUP BY endpoint, method ORDER BY endpoint, method LIMIT $4 + 1"};

constexpr db::Statement kLatestSystem{
    "system_metrics.latest",
    "SELECT server_instance, metric_type, metric_name, value::float8 AS value, unit, "
    "threshold_warning::float8 AS threshold_warning, "
    "threshold_critical::float8 AS threshold_critical, alert_sent, metadata, timestamp, "
    "metadata_text FROM (SELECT DISTINCT ON (server_instance, metric_name, metadata::text) *, "
    "metadata::text AS metadata_text FROM system_metrics "
    "WHERE timestamp > now() - make_interval(secs => $1) "
    "AND ($2 = '' OR server_instance = $2) AND ($3 = '' OR metric_type = $3) "
    "AND (server_instance, metric_name, metadata::text) > ($4::text, $5::text, $6::text) "
    "ORDER BY server_instance, metric_name, metadata::text, timestamp DESC) latest "
    "ORDER BY server_instance, metric_name, metadata_text LIMIT $7 + 1"};

}  // namespace

boost::asio::awaitable<boost::json::array> route_figures(db::Database& database,
                                                         const db::Scope& scope,
                                                         const RoutePage& page) {
  const db::Result rows =
      co_await database.query(kRouteFigures, scope, static_cast<double>(page.window.count()),
                              page.after_endpoint, page.after_method, page.limit);
  co_return rows_json(rows);
}

boost::asio::awaitable<boost::json::array> latest_system_figures(db::Database& database,
                                                                 const db::Scope& scope,
                                                                 const SystemPage& page) {
  const db::Result rows = co_await database.query(
      kLatestSystem, scope, static_cast<double>(page.window.count()), page.instance, page.type,
      page.after_instance, page.after_metric, page.after_metadata, page.limit);
  co_return rows_json(rows);
}

}  // namespace pend::domain::monitoring
