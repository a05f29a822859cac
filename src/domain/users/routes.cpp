#include "domain/users/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/common/errors.hpp"
#include "domain/users/api.hpp"
#include "domain/users/repository.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"

namespace pend::domain::users {

namespace asio = boost::asio;

namespace {

class UserRoutes final : public Feature {
 public:
  UserRoutes(db::Database& database, cache::SessionStore& sessions)
      : users_(database), sessions_(sessions) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> me(http::RequestContext& ctx);
  asio::awaitable<void> update_me(http::RequestContext& ctx);

 private:
  // The caller's row; a user no longer active is signed out everywhere and answered 401.
  asio::awaitable<User> current(http::RequestContext& ctx);

  UserRepository users_;
  cache::SessionStore& sessions_;
};

const http::RouteSpec<UserRoutes> kRoutes[] = {
    {http::Method::get,
     "/api/v1/me",
     &UserRoutes::me,
     {.access = http::Access::user,
      .response = &http::schema_of<api::Profile>(),
      .group = "users"}},
    {http::Method::patch,
     "/api/v1/me",
     &UserRoutes::update_me,
     {.access = http::Access::user,
      .body = &http::schema_of<api::ProfileUpdate>(),
      .response = &http::schema_of<api::Profile>(),
      .group = "users"}},
};

void UserRoutes::add_routes(http::Router& router) {
  http::add_routes<UserRoutes>(router, *this, kRoutes);
}

asio::awaitable<User> UserRoutes::current(http::RequestContext& ctx) {
  auto user = co_await users_.by_id(ctx.principal.id, db::request_scope(ctx));
  if (!user || user->status != Status::active) {
    // Suspended or closed: their sessions end now, whatever else revoked them.
    co_await sessions_.revoke_all(http::Principal::Kind::user, ctx.principal.id);
    throw DomainError::unauthenticated("account_unavailable",
                                       "this account is suspended or closed");
  }
  co_return std::move(*user);
}

asio::awaitable<void> UserRoutes::me(http::RequestContext& ctx) {
  http::respond(ctx, 200, api::profile_of(co_await current(ctx)));
}

asio::awaitable<void> UserRoutes::update_me(http::RequestContext& ctx) {
  const auto body = http::read_body<api::ProfileUpdate>(ctx);
  (void)co_await current(ctx);
  const auto updated =
      co_await users_.update_email(ctx.principal.id, body.email, db::request_scope(ctx));
  if (!updated) throw DomainError::not_found("no such user");
  http::respond(ctx, 200, api::profile_of(*updated));
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<UserRoutes>(deps.database, deps.sessions);
}

}  // namespace pend::domain::users
