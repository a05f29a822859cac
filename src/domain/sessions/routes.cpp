#include "domain/sessions/routes.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/url/parse_query.hpp>

#include <chrono>
#include <ctime>

namespace pend::domain::sessions {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

namespace {

constexpr http::RouteOptions kOwnSessions{.access = http::Access::signed_in, .group = "sessions"};

std::string iso_time(std::int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return std::string(text, n) + "." + std::to_string(1000 + unix_ms % 1000).substr(1) + "Z";
}

boost::json::object to_json(const cache::Session& s, const http::Principal& caller) {
  return {{"id", s.id},
          {"kind", cache::to_string(s.kind)},
          {"created_at", iso_time(s.created_at_ms)},
          {"last_accessed_at", iso_time(s.last_accessed_ms)},
          {"expires_at", iso_time(s.expires_at_ms)},
          {"ip_address", s.ip_address},
          {"user_agent", s.user_agent},
          {"current", s.id == caller.session_id}};
}

// A session id as the list shows it: 64 hex digits (the SHA-256 of the token), any case.
std::string session_id(std::string_view text) {
  std::string id;
  for (const char c : text) {
    const char lower = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    if (!((lower >= '0' && lower <= '9') || (lower >= 'a' && lower <= 'f'))) break;
    id += lower;
  }
  if (id.size() != 64 || text.size() != 64) {
    throw http::ApiError::bad_request(
        "invalid_path_parameter", "path parameter 'id' must be a session id (64 hex digits)",
        {boost::json::object{{"parameter", "id"}, {"expected", "64 hex digits"}}});
  }
  return id;
}

bool query_flag(std::string_view query, std::string_view name) {
  const std::string text{query};  // Boost.URL 1.81's parse_query needs a NUL-terminated text
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) return false;
  for (const auto& param : *parsed) {
    if (param.key == name) return !param.has_value || param.value == "true" || param.value == "1";
  }
  return false;
}

}  // namespace

void add_routes(http::Router& router, cache::SessionStore& sessions) {
  router.add(
      http::Method::get, "/api/v1/sessions",
      [&sessions](http::RequestContext& ctx) -> asio::awaitable<void> {
        const auto list = co_await sessions.list(ctx.principal.kind, ctx.principal.id);
        boost::json::array items;
        for (const auto& s : list) items.push_back(to_json(s, ctx.principal));
        ctx.json(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
      },
      kOwnSessions);

  // Sign out here.
  router.add(
      http::Method::delete_, "/api/v1/sessions/current",
      [&sessions](http::RequestContext& ctx) -> asio::awaitable<void> {
        co_await sessions.revoke(ctx.principal.session_id, &ctx.principal);
        ctx.response.result(beast_http::status::no_content);
      },
      kOwnSessions);

  router.add(
      http::Method::delete_, "/api/v1/sessions/{id}",
      [&sessions](http::RequestContext& ctx) -> asio::awaitable<void> {
        const std::string id = session_id(ctx.match.params.get("id"));
        const bool ended = co_await sessions.revoke(id, &ctx.principal);
        if (!ended) throw http::ApiError::not_found("no such session of yours");
        ctx.response.result(beast_http::status::no_content);
      },
      kOwnSessions);

  // Sign out everywhere (?keep_current=true: everywhere else).
  router.add(
      http::Method::delete_, "/api/v1/sessions",
      [&sessions](http::RequestContext& ctx) -> asio::awaitable<void> {
        const bool keep_current = query_flag(ctx.query, "keep_current");
        const auto ended = co_await sessions.revoke_all(
            ctx.principal.kind, ctx.principal.id,
            keep_current ? std::string_view{ctx.principal.session_id} : std::string_view{});
        ctx.json(200, {{"revoked", ended}});
      },
      kOwnSessions);
}

}  // namespace pend::domain::sessions
