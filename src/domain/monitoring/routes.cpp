#include "domain/monitoring/routes.hpp"

#include "cache/redis_error.hpp"
#include "config/rule_parsing.hpp"
#include "db/request_scope.hpp"
#include "domain/common/pagination.hpp"
#include "domain/monitoring/api.hpp"
#include "domain/monitoring/repository.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "util/json.hpp"

namespace pend::domain::monitoring {

namespace asio = boost::asio;

namespace {

class MonitoringRoutes final : public Feature {
 public:
  MonitoringRoutes(db::Database& database, cache::CacheService* cache)
      : database_(database), cache_(cache) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> route_figures(http::RequestContext& ctx);
  asio::awaitable<void> system_figures(http::RequestContext& ctx);

 private:
  asio::awaitable<std::optional<boost::json::value>> cached(std::string_view type);
  asio::awaitable<void> remember(std::string_view type, const boost::json::object& body);

  db::Database& database_;
  cache::CacheService* cache_;  // the plan's metrics:{type}:{minute}; null: cache off
};

const http::RouteSpec<MonitoringRoutes> kRoutes[] = {
    {http::Method::get,
     "/api/v1/admin/metrics/api",
     &MonitoringRoutes::route_figures,
     {.access = http::Access::admin,
      .permission = security::Permission::metrics_read,
      .ops_access = true,
      .query = &http::schema_of<api::RouteFiguresQuery>(),
      .group = "admin"}},
    {http::Method::get,
     "/api/v1/admin/metrics/system",
     &MonitoringRoutes::system_figures,
     {.access = http::Access::admin,
      .permission = security::Permission::metrics_read,
      .ops_access = true,
      .query = &http::schema_of<api::SystemFiguresQuery>(),
      .group = "admin"}},
};

// The keys a page of rows ends at, for its cursor.
auto keys_of(std::span<const std::string_view> names) {
  return [names](const boost::json::value& row) {
    std::vector<std::string> keys;
    for (const auto name : names) {
      const auto& value = row.as_object().at(name);
      keys.push_back(value.is_string() ? std::string{value.as_string()}
                                       : util::json::serialize(value));  // never: text keys
    }
    return keys;
  };
}

// Static arrays, not braced lists: GCC 12 miscompiles those when a coroutine holds them.
constexpr std::string_view kRouteKeys[] = {"endpoint", "method"};
constexpr std::string_view kSystemKeys[] = {"server_instance", "metric_name", "metadata_text"};

std::vector<boost::json::value> rows_of(boost::json::array rows) {
  return {std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end())};
}

void MonitoringRoutes::add_routes(http::Router& router) {
  http::add_routes<MonitoringRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> MonitoringRoutes::route_figures(http::RequestContext& ctx) {
  const auto query = http::read_query<api::RouteFiguresQuery>(ctx);
  // The default view, a minute at a time, from the plan's metrics:{type}:{minute} key.
  const bool default_view = ctx.query.empty();
  if (default_view) {
    if (auto figures = co_await cached("api")) {
      ctx.json(200, *figures);
      co_return;
    }
  }
  RoutePage page;
  page.window = api::window_of(query.window);
  page.limit = page_limit(query.limit, 50, 500);
  const auto after = decode_cursor(query.cursor, 2);
  page.after_endpoint = after[0];
  page.after_method = after[1];
  auto rows = rows_of(co_await monitoring::route_figures(database_, db::request_scope(ctx), page));
  auto body = to_json(page_of(std::move(rows), page.limit, keys_of(kRouteKeys)));
  body["window_seconds"] = page.window.count();
  if (default_view) co_await remember("api", body);
  ctx.json(200, body);
}

asio::awaitable<void> MonitoringRoutes::system_figures(http::RequestContext& ctx) {
  const auto query = http::read_query<api::SystemFiguresQuery>(ctx);
  const bool default_view = ctx.query.empty();
  if (default_view) {
    if (auto figures = co_await cached("system")) {
      ctx.json(200, *figures);
      co_return;
    }
  }
  SystemPage page;
  page.window = api::window_of(query.window);
  page.instance = query.instance.value_or("");
  page.type = query.type.value_or("");
  page.limit = page_limit(query.limit, 200, 1000);
  const auto after = decode_cursor(query.cursor, 3);
  page.after_instance = after[0];
  page.after_metric = after[1];
  page.after_metadata = after[2];
  auto rows = rows_of(co_await latest_system_figures(database_, db::request_scope(ctx), page));
  auto body = to_json(page_of(std::move(rows), page.limit, keys_of(kSystemKeys)));
  for (auto& item : body["items"].as_array()) item.as_object().erase("metadata_text");
  body["window_seconds"] = page.window.count();
  if (default_view) co_await remember("system", body);
  ctx.json(200, body);
}

// Without Redis, a miss.
asio::awaitable<std::optional<boost::json::value>> MonitoringRoutes::cached(std::string_view type) {
  if (cache_ == nullptr) co_return std::nullopt;
  try {
    co_return co_await cache_->get_metrics(type);
  } catch (const cache::RedisError&) {
    co_return std::nullopt;
  }
}

asio::awaitable<void> MonitoringRoutes::remember(std::string_view type,
                                                 const boost::json::object& body) {
  if (cache_ == nullptr) co_return;
  try {
    co_await cache_->cache_metrics(type, body);
  } catch (const cache::RedisError&) {
    // Served from PostgreSQL again next time.
  }
}

}  // namespace

namespace api {

std::chrono::seconds window_of(const std::optional<std::string>& text) {
  if (!text) return std::chrono::minutes(15);
  return config::rules::parse_window(*text, std::chrono::hours(7 * 24))
      .value_or(std::chrono::minutes(15));
}

void check_window(http::Problems& problems, const std::optional<std::string>& text) {
  if (text && !config::rules::parse_window(*text, std::chrono::hours(7 * 24))) {
    problems.add("window", "invalid_value",
                 "must be a number of s, m or h (such as 15m), at most 7 days");
  }
}

}  // namespace api

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<MonitoringRoutes>(deps.database, deps.cache);
}

}  // namespace pend::domain::monitoring
