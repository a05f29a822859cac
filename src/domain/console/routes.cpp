#include "domain/console/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/auth/phone.hpp"
#include "domain/auth/routes.hpp"
#include "domain/common/errors.hpp"
#include "domain/common/pagination.hpp"
#include "domain/console/api.hpp"
#include "domain/console/repository.hpp"
#include "domain/console/service.hpp"
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"
#include "security/evm_address.hpp"
#include "util/enum_name.hpp"
#include "util/hex.hpp"
#include "util/uuid.hpp"

namespace pend::domain::console {

namespace asio = boost::asio;
using pend::security::Permission;

namespace {

class ConsoleRoutes final : public Feature {
 public:
  explicit ConsoleRoutes(const Deps& deps)
      : settings_(deps.settings),
        database_(deps.database),
        sessions_(deps.sessions),
        phones_(deps.settings.auth.default_region),
        service_(deps) {}
  void add_routes(http::Router& router) override;
  void collect(metrics::PrometheusWriter& out) const override;

  asio::awaitable<void> users(http::RequestContext& ctx);
  asio::awaitable<void> user(http::RequestContext& ctx);
  asio::awaitable<void> suspend(http::RequestContext& ctx);
  asio::awaitable<void> reactivate(http::RequestContext& ctx);
  asio::awaitable<void> close(http::RequestContext& ctx);
  asio::awaitable<void> tier(http::RequestContext& ctx);
  asio::awaitable<void> unlock(http::RequestContext& ctx);
  asio::awaitable<void> revoke_sessions(http::RequestContext& ctx);
  asio::awaitable<void> security_events(http::RequestContext& ctx);
  asio::awaitable<void> investigate(http::RequestContext& ctx);
  asio::awaitable<void> logs(http::RequestContext& ctx);
  asio::awaitable<void> request_logs(http::RequestContext& ctx);
  asio::awaitable<void> audit(http::RequestContext& ctx);
  asio::awaitable<void> create_admin(http::RequestContext& ctx);
  asio::awaitable<void> disable_admin(http::RequestContext& ctx);
  asio::awaitable<void> reset_totp(http::RequestContext& ctx);
  asio::awaitable<void> reset_password(http::RequestContext& ctx);
  asio::awaitable<void> change_role(http::RequestContext& ctx);
  asio::awaitable<void> invalidate_cache(http::RequestContext& ctx);
  asio::awaitable<void> api_keys(http::RequestContext& ctx);
  asio::awaitable<void> create_api_key(http::RequestContext& ctx);
  asio::awaitable<void> api_key_limits(http::RequestContext& ctx);
  asio::awaitable<void> revoke_api_key(http::RequestContext& ctx);
  asio::awaitable<void> track_asset(http::RequestContext& ctx);
  asio::awaitable<void> untrack_asset(http::RequestContext& ctx);
  asio::awaitable<void> approvals(http::RequestContext& ctx);
  asio::awaitable<void> approve(http::RequestContext& ctx);
  asio::awaitable<void> reject(http::RequestContext& ctx);

 private:
  asio::awaitable<void> change(http::RequestContext& ctx, Change change);
  asio::awaitable<void> justified(http::RequestContext& ctx, Action action);

  const config::Settings& settings_;
  db::Database& database_;
  cache::SessionStore& sessions_;
  auth::PhoneNumbers phones_;
  ConsoleService service_;
};

template <typename Body>
constexpr http::RouteOptions change_options(Permission permission) {
  return {.access = http::Access::admin,
          .permission = permission,
          .body = &http::schema_of<Body>(),
          .response = &http::schema_of<api::ChangeResult>(),
          .group = "admin"};
}

template <typename Query>
constexpr http::RouteOptions read_options(Permission permission) {
  return {.access = http::Access::admin,
          .permission = permission,
          .query = &http::schema_of<Query>(),
          .group = "admin"};
}

constexpr http::RouteOptions plain_read(Permission permission) {
  return {.access = http::Access::admin, .permission = permission, .group = "admin"};
}

using R = ConsoleRoutes;
using M = http::Method;

const http::RouteSpec<R> kRoutes[] = {
    {M::get, "/api/v1/admin/users", &R::users,
     read_options<api::UserSearchQuery>(Permission::users_read)},
    {M::get, "/api/v1/admin/users/{id:uuid}", &R::user, plain_read(Permission::users_read)},
    {M::post, "/api/v1/admin/users/{id:uuid}/suspend", &R::suspend,
     change_options<api::Justified>(Permission::users_write)},
    {M::post, "/api/v1/admin/users/{id:uuid}/reactivate", &R::reactivate,
     change_options<api::Justified>(Permission::users_write)},
    {M::post, "/api/v1/admin/users/{id:uuid}/close", &R::close,
     change_options<api::Justified>(Permission::users_write)},
    {M::put, "/api/v1/admin/users/{id:uuid}/tier", &R::tier,
     change_options<api::TierChange>(Permission::users_write)},
    {M::post, "/api/v1/admin/users/{id:uuid}/unlock", &R::unlock,
     change_options<api::Justified>(Permission::users_write)},
    {M::post, "/api/v1/admin/users/{id:uuid}/revoke-sessions", &R::revoke_sessions,
     change_options<api::Justified>(Permission::users_write)},
    {M::get, "/api/v1/admin/security-events", &R::security_events,
     read_options<api::SecurityEventQuery>(Permission::security_investigate)},
    {M::post, "/api/v1/admin/security-events/{id:uuid}/investigate", &R::investigate,
     change_options<api::Investigation>(Permission::security_investigate)},
    {M::get, "/api/v1/admin/logs", &R::logs, read_options<api::LogQuery>(Permission::logs_read)},
    {M::get, "/api/v1/admin/logs/requests/{request_id}", &R::request_logs,
     plain_read(Permission::logs_read)},
    {M::get, "/api/v1/admin/audit", &R::audit,
     read_options<api::AuditQuery>(Permission::audit_read)},
    {M::post, "/api/v1/admin/admins", &R::create_admin,
     change_options<api::NewAdmin>(Permission::admins_manage)},
    {M::post, "/api/v1/admin/admins/{id:uuid}/disable", &R::disable_admin,
     change_options<api::Justified>(Permission::admins_manage)},
    {M::post, "/api/v1/admin/admins/{id:uuid}/reset-totp", &R::reset_totp,
     change_options<api::Justified>(Permission::admins_manage)},
    {M::post, "/api/v1/admin/admins/{id:uuid}/reset-password", &R::reset_password,
     change_options<api::Justified>(Permission::admins_manage)},
    {M::put, "/api/v1/admin/admins/{id:uuid}/role", &R::change_role,
     change_options<api::RoleChange>(Permission::admins_manage)},
    {M::post, "/api/v1/admin/cache/invalidate", &R::invalidate_cache,
     change_options<api::CacheInvalidation>(Permission::cache_invalidate)},
    {M::get, "/api/v1/admin/api-keys", &R::api_keys,
     read_options<api::ApiKeyQuery>(Permission::api_keys_manage)},
    {M::post, "/api/v1/admin/api-keys", &R::create_api_key,
     change_options<api::NewApiKey>(Permission::api_keys_manage)},
    {M::put, "/api/v1/admin/api-keys/{id:uuid}/limits", &R::api_key_limits,
     change_options<api::ApiKeyLimits>(Permission::api_keys_manage)},
    {M::post, "/api/v1/admin/api-keys/{id:uuid}/revoke", &R::revoke_api_key,
     change_options<api::Justified>(Permission::api_keys_manage)},
    {M::post, "/api/v1/admin/assets", &R::track_asset,
     change_options<api::TrackAsset>(Permission::assets_manage)},
    {M::post, "/api/v1/admin/assets/{address}/untrack", &R::untrack_asset,
     change_options<api::Justified>(Permission::assets_manage)},
    {M::get, "/api/v1/admin/approvals", &R::approvals,
     read_options<api::ApprovalQuery>(Permission::approvals_decide)},
    {M::post, "/api/v1/admin/approvals/{id:uuid}/approve", &R::approve,
     change_options<api::Justified>(Permission::approvals_decide)},
    {M::post, "/api/v1/admin/approvals/{id:uuid}/reject", &R::reject,
     change_options<api::Justified>(Permission::approvals_decide)},
};

// A cursor of (timestamp, id) keys; 400 when its keys are not of that kind.
After time_cursor(const std::optional<std::string>& cursor) {
  After after{decode_cursor(cursor, 2)};
  if (!after.empty() && (!util::parse_rfc3339(after.keys[0]) || !util::is_uuid(after.keys[1]))) {
    throw http::ApiError::bad_request("invalid_cursor", "cursor is not one this list gave");
  }
  return after;
}

After seq_cursor(const std::optional<std::string>& cursor) {
  After after{decode_cursor(cursor, 1)};
  if (!after.empty()) {
    const auto& seq = after.keys[0];
    if (seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos) {
      throw http::ApiError::bad_request("invalid_cursor", "cursor is not one this list gave");
    }
  }
  return after;
}

boost::json::object session_json(const cache::Session& s) {
  using std::chrono::milliseconds;
  auto at = [](std::int64_t ms) {
    return util::format_rfc3339(util::Microseconds{milliseconds{ms}});
  };
  return {{"id", s.id},
          {"created_at", at(s.created_at_ms)},
          {"last_accessed", at(s.last_accessed_ms)},
          {"expires_at", at(s.expires_at_ms)},
          {"ip_address", s.ip_address},
          {"user_agent", s.user_agent}};
}

void ConsoleRoutes::add_routes(http::Router& router) {
  http::add_routes<ConsoleRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> ConsoleRoutes::users(http::RequestContext& ctx) {
  const auto query = http::read_query<api::UserSearchQuery>(ctx);
  const auto limit = page_limit(query.limit, 50, 500);
  const auto after = time_cursor(query.cursor);
  UserFilter filter{.id = query.id,
                    .tier = query.tier,
                    .created_from = query.created_from,
                    .created_to = query.created_to};
  if (query.status) filter.status = std::string{util::enum_name(*query.status)};
  if (query.address) {
    pend::security::AddressProblem problem{};
    const auto address = pend::security::parse_address(*query.address, &problem);
    if (!address) {
      throw DomainError::invalid("invalid_address",
                                 problem == pend::security::AddressProblem::checksum
                                     ? "address has a wrong EIP-55 checksum"
                                     : "address must be 0x and 40 hex digits");
    }
    filter.address = address->checksummed();
  }
  if (query.phone) {
    std::string why;
    const auto phone = phones_.parse(*query.phone, nullptr, &why);
    if (!phone) throw DomainError::invalid("invalid_phone", why);
    filter.phone_hash = auth::phone_hash(settings_.auth.pepper(), *phone);
  }
  const auto rows = co_await search_users(database_, db::request_scope(ctx), filter, after, limit);
  ctx.json(200, row_page(rows, limit, 2));
}

asio::awaitable<void> ConsoleRoutes::user(http::RequestContext& ctx) {
  const std::string id = util::lower_hex(ctx.match.params.get("id"));
  const auto scope = db::request_scope(ctx);
  const auto rows = co_await user_row(database_, scope, id);
  if (rows.empty()) throw DomainError::not_found("no such user");
  boost::json::object body = rows_json(rows)[0].as_object();
  const auto live = co_await sessions_.list(http::Principal::Kind::user, id);
  boost::json::array sessions;
  for (const auto& session : live) sessions.push_back(session_json(session));
  body["sessions"] = std::move(sessions);
  const auto events = co_await recent_security_events(database_, scope, id, 20);
  body["security_events"] = rows_json(events);
  const auto audited = co_await recent_audit(database_, scope, "user", id, 20);
  body["audit"] = rows_json(audited);
  ctx.json(200, body);
}

asio::awaitable<void> ConsoleRoutes::change(http::RequestContext& ctx, Change change) {
  const auto actor = actor_of(ctx, settings_.auth);
  const auto result = co_await service_.request(actor, change, db::request_scope(ctx));
  http::respond(ctx, result.status == "pending" ? 202 : 200, result);
}

asio::awaitable<void> ConsoleRoutes::justified(http::RequestContext& ctx, Action action) {
  const auto body = http::read_body<api::Justified>(ctx);
  Change c{.action = action,
           .resource_id = util::lower_hex(ctx.match.params.get("id")),
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::suspend(http::RequestContext& ctx) {
  co_await justified(ctx, Action::user_suspend);
}
asio::awaitable<void> ConsoleRoutes::reactivate(http::RequestContext& ctx) {
  co_await justified(ctx, Action::user_reactivate);
}
asio::awaitable<void> ConsoleRoutes::close(http::RequestContext& ctx) {
  co_await justified(ctx, Action::user_close);
}
asio::awaitable<void> ConsoleRoutes::unlock(http::RequestContext& ctx) {
  co_await justified(ctx, Action::user_unlock);
}
asio::awaitable<void> ConsoleRoutes::revoke_sessions(http::RequestContext& ctx) {
  co_await justified(ctx, Action::user_revoke_sessions);
}
asio::awaitable<void> ConsoleRoutes::disable_admin(http::RequestContext& ctx) {
  co_await justified(ctx, Action::admin_disable);
}
asio::awaitable<void> ConsoleRoutes::reset_totp(http::RequestContext& ctx) {
  co_await justified(ctx, Action::admin_reset_totp);
}
asio::awaitable<void> ConsoleRoutes::reset_password(http::RequestContext& ctx) {
  co_await justified(ctx, Action::admin_reset_password);
}

asio::awaitable<void> ConsoleRoutes::tier(http::RequestContext& ctx) {
  const auto body = http::read_body<api::TierChange>(ctx);
  Change c{.action = Action::user_tier,
           .resource_id = util::lower_hex(ctx.match.params.get("id")),
           .params = {{"tier", body.tier}},
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::change_role(http::RequestContext& ctx) {
  const auto body = http::read_body<api::RoleChange>(ctx);
  Change c{.action = Action::admin_role,
           .resource_id = util::lower_hex(ctx.match.params.get("id")),
           .params = {{"role", util::enum_name(body.role)}},
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::investigate(http::RequestContext& ctx) {
  const auto body = http::read_body<api::Investigation>(ctx);
  Change c{.action = Action::security_event_investigate,
           .resource_id = util::lower_hex(ctx.match.params.get("id")),
           .params = {{"notes", body.notes}, {"false_positive", body.false_positive}},
           .justification = body.notes};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::create_admin(http::RequestContext& ctx) {
  const auto body = http::read_body<api::NewAdmin>(ctx);
  Change c{.action = Action::admin_create,
           .params = {{"email", body.email},
                      {"display_name", body.display_name},
                      {"role", util::enum_name(body.role)}},
           .justification = body.justification};
  const auto actor = actor_of(ctx, settings_.auth);
  const auto result = co_await service_.request(actor, c, db::request_scope(ctx));
  http::respond(ctx, 201, result);
}

asio::awaitable<void> ConsoleRoutes::invalidate_cache(http::RequestContext& ctx) {
  const auto body = http::read_body<api::CacheInvalidation>(ctx);
  Change c{.action = Action::cache_invalidate,
           .resource_id = body.pattern,
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::api_keys(http::RequestContext& ctx) {
  const auto query = http::read_query<api::ApiKeyQuery>(ctx);
  const auto limit = page_limit(query.limit, 50, 500);
  const auto after = time_cursor(query.cursor);
  std::optional<std::string> status;
  if (query.status) status = std::string{util::enum_name(*query.status)};
  const auto rows = co_await list_api_keys(database_, db::request_scope(ctx), status, after, limit);
  ctx.json(200, row_page(rows, limit, 2));
}

asio::awaitable<void> ConsoleRoutes::create_api_key(http::RequestContext& ctx) {
  const auto body = http::read_body<api::NewApiKey>(ctx);
  boost::json::object params{{"name", body.name}, {"per_second", body.per_second}};
  params["per_day"] = body.per_day ? boost::json::value(*body.per_day) : boost::json::value();
  Change c{.action = Action::api_key_create,
           .params = std::move(params),
           .justification = body.justification};
  const auto actor = actor_of(ctx, settings_.auth);
  const auto result = co_await service_.request(actor, c, db::request_scope(ctx));
  http::respond(ctx, result.status == "pending" ? 202 : 201, result);
}

asio::awaitable<void> ConsoleRoutes::api_key_limits(http::RequestContext& ctx) {
  const auto body = http::read_body<api::ApiKeyLimits>(ctx);
  boost::json::object params{{"per_second", body.per_second}};
  params["per_day"] = body.per_day ? boost::json::value(*body.per_day) : boost::json::value();
  Change c{.action = Action::api_key_limits,
           .resource_id = util::lower_hex(ctx.match.params.get("id")),
           .params = std::move(params),
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::revoke_api_key(http::RequestContext& ctx) {
  co_await justified(ctx, Action::api_key_revoke);
}

asio::awaitable<void> ConsoleRoutes::track_asset(http::RequestContext& ctx) {
  const auto body = http::read_body<api::TrackAsset>(ctx);
  Change c{.action = Action::asset_track,
           .resource_id = pend::security::parse_address(body.address)->checksummed(),
           .params = {{"type", body.type.value_or("ERC-20")}},
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::untrack_asset(http::RequestContext& ctx) {
  const auto body = http::read_body<api::Justified>(ctx);
  const auto address = pend::security::parse_address(ctx.match.params.get("address"));
  if (!address) {
    throw http::ApiError::bad_request("invalid_address",
                                      "address must be 0x and 40 hex digits (EIP-55 if mixed case)",
                                      {boost::json::object{{"parameter", "address"}}});
  }
  Change c{.action = Action::asset_untrack,
           .resource_id = address->checksummed(),
           .justification = body.justification};
  co_await change(ctx, std::move(c));
}

asio::awaitable<void> ConsoleRoutes::security_events(http::RequestContext& ctx) {
  const auto query = http::read_query<api::SecurityEventQuery>(ctx);
  const auto limit = page_limit(query.limit, 50, 500);
  const auto after = time_cursor(query.cursor);
  const auto rows =
      co_await search_security_events(database_, db::request_scope(ctx), query, after, limit);
  ctx.json(200, row_page(rows, limit, 2));
}

asio::awaitable<void> ConsoleRoutes::logs(http::RequestContext& ctx) {
  const auto query = http::read_query<api::LogQuery>(ctx);
  const auto limit = page_limit(query.limit, 100, 1000);
  const auto after = time_cursor(query.cursor);
  const auto rows = co_await search_logs(database_, db::request_scope(ctx), query, after, limit);
  ctx.json(200, row_page(rows, limit, 2));
}

asio::awaitable<void> ConsoleRoutes::request_logs(http::RequestContext& ctx) {
  const std::string request_id{ctx.match.params.get("request_id")};
  if (request_id.empty() || request_id.size() > 36) {
    throw DomainError::invalid("invalid_request_id", "a request id has 1 to 36 characters");
  }
  const auto rows = co_await request_story(database_, db::request_scope(ctx), request_id, 1000);
  if (rows.empty()) throw DomainError::not_found("no log entries of this request");
  ctx.json(200, boost::json::object{{"request_id", request_id}, {"items", rows_json(rows)}});
}

asio::awaitable<void> ConsoleRoutes::audit(http::RequestContext& ctx) {
  const auto query = http::read_query<api::AuditQuery>(ctx);
  const auto limit = page_limit(query.limit, 50, 500);
  const auto after = seq_cursor(query.cursor);
  const auto rows = co_await search_audit(database_, db::request_scope(ctx), query, after, limit);
  ctx.json(200, row_page(rows, limit, 1));
}

asio::awaitable<void> ConsoleRoutes::approvals(http::RequestContext& ctx) {
  const auto query = http::read_query<api::ApprovalQuery>(ctx);
  const auto limit = page_limit(query.limit, 50, 500);
  const auto after = time_cursor(query.cursor);
  const auto scope = db::request_scope(ctx);
  co_await service_.expire_overdue(scope);  // what ran out is not offered for a decision
  const std::string status{util::enum_name(query.status.value_or(api::ApprovalStatus::pending))};
  const auto rows = co_await list_approvals(database_, scope, status, after, limit);
  ctx.json(200, row_page(rows, limit, 2));
}

asio::awaitable<void> ConsoleRoutes::approve(http::RequestContext& ctx) {
  const auto body = http::read_body<api::Justified>(ctx);
  const auto actor = actor_of(ctx, settings_.auth);
  const std::string id = util::lower_hex(ctx.match.params.get("id"));
  const auto result =
      co_await service_.approve(actor, id, body.justification, db::request_scope(ctx));
  http::respond(ctx, 200, result);
}

asio::awaitable<void> ConsoleRoutes::reject(http::RequestContext& ctx) {
  const auto body = http::read_body<api::Justified>(ctx);
  const auto actor = actor_of(ctx, settings_.auth);
  const std::string id = util::lower_hex(ctx.match.params.get("id"));
  const auto result =
      co_await service_.reject(actor, id, body.justification, db::request_scope(ctx));
  http::respond(ctx, 200, result);
}

void ConsoleRoutes::collect(metrics::PrometheusWriter& out) const {
  const auto& f = service_.figures();
  out.family("pend_admin_changes_total", "counter",
             "Admin changes, by what became of them (applied at once, filed for approval, "
             "approved, rejected, expired).");
  out.sample("pend_admin_changes_total", {{"outcome", "applied"}}, f.applied.load());
  out.sample("pend_admin_changes_total", {{"outcome", "pending"}}, f.pending.load());
  out.sample("pend_admin_changes_total", {{"outcome", "approved"}}, f.approved.load());
  out.sample("pend_admin_changes_total", {{"outcome", "rejected"}}, f.rejected.load());
  out.sample("pend_admin_changes_total", {{"outcome", "expired"}}, f.expired.load());
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<ConsoleRoutes>(deps);
}

}  // namespace pend::domain::console
