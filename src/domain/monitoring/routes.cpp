#include "domain/monitoring/routes.hpp"

#include "cache/redis_error.hpp"
#include "config/rule_parsing.hpp"
#include "db/request_scope.hpp"
#include "domain/monitoring/repository.hpp"
#include "http/api_error.hpp"
#include "http/query_params.hpp"
#include "http/request_context.hpp"

#include <sodium.h>
#include <boost/json/serialize.hpp>

#include <span>

namespace pend::domain::monitoring {

namespace {

namespace asio = boost::asio;

// A client on this host (RequestContext::from_this_host), or the ops token (compared in
// constant time).
void require_ops(const http::RequestContext& ctx, const config::OpsSettings& ops) {
  if (ctx.from_this_host()) return;
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view header = ctx.request[boost::beast::http::field::authorization];
  if (!ops.token.empty() && header.starts_with(kBearer)) {
    const std::string_view offered = header.substr(kBearer.size());
    if (offered.size() == ops.token.size() &&
        sodium_memcmp(offered.data(), ops.token.data(), ops.token.size()) == 0) {
      return;
    }
  }
  throw http::ApiError::forbidden(
      "the monitoring API answers loopback clients, or the ops token (PEND_OPS_TOKEN)");
}

std::chrono::seconds window_of(const http::QueryParams& params) {
  const auto text = params.get("window");
  if (!text) return std::chrono::minutes(15);
  const auto window = config::rules::parse_window(*text, std::chrono::hours(7 * 24));
  if (!window) {
    throw http::ApiError::validation_failed(
        "window must be a number of s, m or h (such as 15m), at most 7 days",
        {boost::json::object{{"field", "window"}}});
  }
  return *window;
}

std::vector<std::string> cursor_of(const http::QueryParams& params, std::size_t count) {
  const auto text = params.get("cursor");
  if (!text) return std::vector<std::string>(count);  // from the start
  auto values = http::decode_cursor(*text, count);
  if (!values) {
    throw http::ApiError::bad_request("invalid_cursor", "cursor is not one this list gave");
  }
  return *values;
}

// Static arrays, not braced lists: GCC 12 miscompiles those when a coroutine holds them.
constexpr std::string_view kApiParams[] = {"window", "limit", "cursor"};
constexpr std::string_view kApiKeys[] = {"endpoint", "method"};
constexpr std::string_view kSystemParams[] = {"instance", "type", "window", "limit", "cursor"};
constexpr std::string_view kSystemKeys[] = {"server_instance", "metric_name", "metadata_text"};

// items holds up to limit + 1 rows: the extra one says there is a next page.
boost::json::object page_of(boost::json::array items, std::int64_t limit,
                            std::span<const std::string_view> keys) {
  boost::json::value next = nullptr;
  if (static_cast<std::int64_t>(items.size()) > limit) {
    items.resize(static_cast<std::size_t>(limit));
    std::vector<std::string> last;
    const auto& item = items.back().as_object();
    for (const auto key : keys) {
      const auto& value = item.at(key);
      last.push_back(value.is_string() ? std::string{value.as_string()}
                                       : boost::json::serialize(value));  // never: text keys
    }
    next = http::encode_cursor(last);
  }
  return {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

// The plan's metrics:{type}:{minute} cache for the default views; without Redis, a miss.
asio::awaitable<std::optional<boost::json::value>> cached(cache::CacheService* cache,
                                                          std::string_view type) {
  if (cache == nullptr) co_return std::nullopt;
  try {
    co_return co_await cache->get_metrics(type);
  } catch (const cache::RedisError&) {
    co_return std::nullopt;
  }
}

asio::awaitable<void> remember(cache::CacheService* cache, std::string_view type,
                               const boost::json::object& body) {
  if (cache == nullptr) co_return;
  try {
    co_await cache->cache_metrics(type, body);
  } catch (const cache::RedisError&) {
    // Served from PostgreSQL again next time.
  }
}

}  // namespace

void add_routes(http::Router& router, db::Database& database, cache::CacheService* cache,
                const config::OpsSettings& ops) {
  router.add(
      http::Method::get, "/api/v1/admin/metrics/api",
      [&database, cache, &ops](http::RequestContext& ctx) -> asio::awaitable<void> {
        require_ops(ctx, ops);
        const http::QueryParams params(ctx.query, kApiParams);
        // The default view, a minute at a time, from the plan's metrics:{type}:{minute} key.
        if (params.empty()) {
          if (auto figures = co_await cached(cache, "api")) {
            ctx.json(200, *figures);
            co_return;
          }
        }
        RoutePage page;
        page.window = window_of(params);
        page.limit = params.integer("limit", 50, 1, 500);
        const auto after = cursor_of(params, 2);
        page.after_endpoint = after[0];
        page.after_method = after[1];
        auto body = page_of(co_await route_figures(database, db::request_scope(ctx), page),
                            page.limit, kApiKeys);
        body["window_seconds"] = page.window.count();
        if (params.empty()) co_await remember(cache, "api", body);
        ctx.json(200, body);
      },
      http::RouteOptions{.group = "admin"});

  router.add(
      http::Method::get, "/api/v1/admin/metrics/system",
      [&database, cache, &ops](http::RequestContext& ctx) -> asio::awaitable<void> {
        require_ops(ctx, ops);
        const http::QueryParams params(ctx.query, kSystemParams);
        if (params.empty()) {
          if (auto figures = co_await cached(cache, "system")) {
            ctx.json(200, *figures);
            co_return;
          }
        }
        SystemPage page;
        page.window = window_of(params);
        page.instance = params.get("instance").value_or("");
        page.type = params.get("type").value_or("");
        page.limit = params.integer("limit", 200, 1, 1000);
        const auto after = cursor_of(params, 3);
        page.after_instance = after[0];
        page.after_metric = after[1];
        page.after_metadata = after[2];
        auto body = page_of(co_await latest_system_figures(database, db::request_scope(ctx), page),
                            page.limit, kSystemKeys);
        for (auto& item : body["items"].as_array()) item.as_object().erase("metadata_text");
        body["window_seconds"] = page.window.count();
        if (params.empty()) co_await remember(cache, "system", body);
        ctx.json(200, body);
      },
      http::RouteOptions{.group = "admin"});
}

}  // namespace pend::domain::monitoring
