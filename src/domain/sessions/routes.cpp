#include "domain/sessions/routes.hpp"

#include "domain/sessions/api.hpp"
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "util/hex.hpp"

namespace pend::domain::sessions {

namespace asio = boost::asio;

namespace {

class SessionRoutes final : public Feature {
 public:
  explicit SessionRoutes(cache::SessionStore& sessions) : sessions_(sessions) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> list(http::RequestContext& ctx);
  asio::awaitable<void> revoke_current(http::RequestContext& ctx);
  asio::awaitable<void> revoke_one(http::RequestContext& ctx);
  asio::awaitable<void> revoke_all(http::RequestContext& ctx);

 private:
  cache::SessionStore& sessions_;
};

const http::RouteOptions kOwnSessions{.access = http::Access::signed_in, .group = "sessions"};

const http::RouteSpec<SessionRoutes> kRoutes[] = {
    {http::Method::get,
     "/api/v1/sessions",
     &SessionRoutes::list,
     {.access = http::Access::signed_in,
      .response = &http::schema_of<api::SessionList>(),
      .group = "sessions"}},
    {http::Method::delete_, "/api/v1/sessions/current", &SessionRoutes::revoke_current,
     kOwnSessions},
    {http::Method::delete_, "/api/v1/sessions/{id:digest}", &SessionRoutes::revoke_one,
     kOwnSessions},
    {http::Method::delete_,
     "/api/v1/sessions",
     &SessionRoutes::revoke_all,
     {.access = http::Access::signed_in,
      .query = &http::schema_of<api::RevokeAllQuery>(),
      .response = &http::schema_of<api::RevokedSessions>(),
      .group = "sessions"}},
};

util::Microseconds at_ms(std::int64_t unix_ms) {
  return util::Microseconds{std::chrono::milliseconds{unix_ms}};
}

api::Session to_api(const cache::Session& s, const http::Principal& caller) {
  return {.id = s.id,
          .kind = std::string{cache::to_string(s.kind)},
          .created_at = at_ms(s.created_at_ms),
          .last_accessed_at = at_ms(s.last_accessed_ms),
          .expires_at = at_ms(s.expires_at_ms),
          .ip_address = s.ip_address,
          .user_agent = s.user_agent,
          .current = s.id == caller.session_id};
}

void SessionRoutes::add_routes(http::Router& router) {
  http::add_routes<SessionRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> SessionRoutes::list(http::RequestContext& ctx) {
  const auto sessions = co_await sessions_.list(ctx.principal.kind, ctx.principal.id);
  api::SessionList body;
  for (const auto& session : sessions) body.items.push_back(to_api(session, ctx.principal));
  http::respond(ctx, 200, body);
}

asio::awaitable<void> SessionRoutes::revoke_current(http::RequestContext& ctx) {
  co_await sessions_.revoke(ctx.principal.session_id, &ctx.principal);
  ctx.response.result(boost::beast::http::status::no_content);
}

asio::awaitable<void> SessionRoutes::revoke_one(http::RequestContext& ctx) {
  const std::string id = util::lower_hex(ctx.match.params.get("id"));
  const bool ended = co_await sessions_.revoke(id, &ctx.principal);
  if (!ended) throw http::ApiError::not_found("no such session of yours");
  ctx.response.result(boost::beast::http::status::no_content);
}

asio::awaitable<void> SessionRoutes::revoke_all(http::RequestContext& ctx) {
  const auto query = http::read_query<api::RevokeAllQuery>(ctx);
  const bool keep_current = query.keep_current.value_or(false);
  const auto ended = co_await sessions_.revoke_all(
      ctx.principal.kind, ctx.principal.id,
      keep_current ? std::string_view{ctx.principal.session_id} : std::string_view{});
  http::respond(ctx, 200, api::RevokedSessions{.revoked = ended});
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<SessionRoutes>(deps.sessions);
}

}  // namespace pend::domain::sessions
