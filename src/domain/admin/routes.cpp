#include "domain/admin/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/admin/service.hpp"
#include "domain/auth/routes.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "util/uuid.hpp"

namespace pend::domain::admin {

namespace asio = boost::asio;

namespace {

class AdminRoutes final : public Feature {
 public:
  explicit AdminRoutes(const Deps& deps) : auth_settings_(deps.settings.auth), service_(deps) {}
  void add_routes(http::Router& router) override;
  void collect(metrics::PrometheusWriter& out) const override;

  asio::awaitable<void> login(http::RequestContext& ctx);
  asio::awaitable<void> totp(http::RequestContext& ctx);
  asio::awaitable<void> password(http::RequestContext& ctx);
  asio::awaitable<void> me(http::RequestContext& ctx);

 private:
  const config::AuthSettings& auth_settings_;
  AdminAuthService service_;
};

// Group auth: the sign-in rate-limit rules apply (config rate_limit.rules).
const http::RouteSpec<AdminRoutes> kRoutes[] = {
    {http::Method::post,
     "/api/v1/admin/auth/login",
     &AdminRoutes::login,
     {.body = &http::schema_of<api::AdminLoginRequest>(),
      .response = &http::schema_of<api::AdminMfaChallenge>(),
      .group = "auth"}},
    {http::Method::post,
     "/api/v1/admin/auth/totp",
     &AdminRoutes::totp,
     {.body = &http::schema_of<api::AdminTotpRequest>(),
      .response = &http::schema_of<api::AdminSignedIn>(),
      .group = "auth"}},
    {http::Method::post,
     "/api/v1/admin/auth/password",
     &AdminRoutes::password,
     {.body = &http::schema_of<api::AdminPasswordChange>(),
      .response = &http::schema_of<api::AdminMfaChallenge>(),
      .group = "auth"}},
    {http::Method::get,
     "/api/v1/admin/me",
     &AdminRoutes::me,
     {.access = http::Access::admin, .response = &http::schema_of<api::AdminProfile>()}},
};

void AdminRoutes::add_routes(http::Router& router) {
  http::add_routes<AdminRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> AdminRoutes::login(http::RequestContext& ctx) {
  const auto body = http::read_body<api::AdminLoginRequest>(ctx);
  const auto caller = auth::caller_of(ctx, auth_settings_);
  const auto challenge = co_await service_.login(caller, body, db::request_scope(ctx));
  http::respond(ctx, 200, challenge);
}

asio::awaitable<void> AdminRoutes::totp(http::RequestContext& ctx) {
  const auto body = http::read_body<api::AdminTotpRequest>(ctx);
  const auto caller = auth::caller_of(ctx, auth_settings_);
  const auto signed_in = co_await service_.verify(caller, body, db::request_scope(ctx));
  http::respond(ctx, 200, signed_in);
}

asio::awaitable<void> AdminRoutes::password(http::RequestContext& ctx) {
  const auto body = http::read_body<api::AdminPasswordChange>(ctx);
  const auto caller = auth::caller_of(ctx, auth_settings_);
  const auto challenge = co_await service_.change_password(caller, body, db::request_scope(ctx));
  http::respond(ctx, 200, challenge);
}

asio::awaitable<void> AdminRoutes::me(http::RequestContext& ctx) {
  const auto profile = co_await service_.profile(ctx.principal.id, db::request_scope(ctx));
  http::respond(ctx, 200, profile);
}

void AdminRoutes::collect(metrics::PrometheusWriter& out) const {
  const auto& f = service_.figures();
  out.family("pend_admin_sign_in_failures_total", "counter",
             "Admin sign-ins refused, by what was wrong.");
  out.sample("pend_admin_sign_in_failures_total", {{"step", "password"}},
             f.password_failures.load());
  out.sample("pend_admin_sign_in_failures_total", {{"step", "code"}}, f.code_failures.load());
  out.family("pend_admin_lockouts_total", "counter", "Admin accounts locked after failures.");
  out.sample("pend_admin_lockouts_total", {}, f.lockouts.load());
  out.family("pend_admin_enrolments_total", "counter", "Authenticators enrolled by admins.");
  out.sample("pend_admin_enrolments_total", {}, f.enrolments.load());
  out.family("pend_admin_sign_ins_total", "counter", "Admins signed in (password and code).");
  out.sample("pend_admin_sign_ins_total", {}, f.sign_ins.load());
  out.family("pend_admin_recovery_codes_used_total", "counter",
             "Recovery codes used in place of a TOTP code.");
  out.sample("pend_admin_recovery_codes_used_total", {}, f.recovery_codes_used.load());
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<AdminRoutes>(deps);
}

asio::awaitable<std::optional<pend::security::Role>> current_role(db::Database& database,
                                                                  std::string admin_id) {
  if (!util::is_uuid(admin_id)) co_return std::nullopt;
  AdminRepository admins(database);
  co_return co_await admins.active_role(admin_id, {});
}

}  // namespace pend::domain::admin
