#include "middleware/authenticate.hpp"

#include "cache/redis_error.hpp"
#include "http/api_error.hpp"
#include "http/request_context.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/string.hpp>

namespace pend::middleware {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using http::AuthState;
using http::Principal;

namespace {

// The token of "Bearer <token>" (scheme case-insensitive); empty when it is not that.
std::string_view bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size() ||
      !boost::beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace

bool Authenticate::waits(const http::RequestContext& ctx) const {
  // Probes and scrapes (open, never rate limited) need no principal; /metrics has a bearer
  // token of its own.
  const auto* route = ctx.match.route;
  if (route != nullptr && route->options.access == http::Access::anyone &&
      !route->options.rate_limited) {
    return false;
  }
  return ctx.request.find(beast_http::field::authorization) != ctx.request.end();
}

asio::awaitable<void> Authenticate::before_async(http::RequestContext& ctx) {
  const auto token = bearer_token(ctx.request[beast_http::field::authorization]);
  ctx.auth = AuthState::invalid;
  if (!cache::is_session_token(token)) co_return;  // not a token: no hashing, no Redis trip
  try {
    auto session = co_await sessions_.resolve(token);
    if (!session) co_return;
    ctx.principal = {session->kind, std::move(session->principal_id), std::move(session->id)};
  } catch (const cache::RedisError&) {
    ctx.auth = AuthState::unavailable;
    co_return;
  }
  if (ctx.principal.kind == Principal::Kind::admin) {
    // The role as the admin's row says now; an admin no longer active has no session.
    std::optional<security::Role> role;
    bool known = false;
    try {
      if (admin_roles_) {
        role = co_await admin_roles_(ctx.principal.id);
        known = true;
      }
    } catch (const std::exception&) {
      known = false;
    }
    if (!known) {
      ctx.principal = {};
      ctx.auth = AuthState::unavailable;
      co_return;
    }
    if (!role) {
      ctx.principal = {};
      co_return;  // invalid: 401
    }
    ctx.principal.role = role;
  }
  ctx.auth = AuthState::valid;
}

namespace {

bool principal_allowed(const http::RouteOptions& options, const Principal& principal) {
  switch (options.access) {
    case http::Access::anyone:
    case http::Access::signed_in:
      break;
    case http::Access::user:
      if (principal.kind != Principal::Kind::user) return false;
      break;
    case http::Access::admin:
      if (principal.kind != Principal::Kind::admin) return false;
      break;
  }
  if (options.permission == security::Permission::none) return true;
  return principal.kind == Principal::Kind::admin && principal.role &&
         security::allows(*principal.role, options.permission);
}

}  // namespace

bool Authorize::waits(const http::RequestContext& ctx) const {
  if (!record_denial_ || ctx.match.route == nullptr) return false;
  const auto& options = ctx.match.route->options;
  return options.access == http::Access::admin || options.permission != security::Permission::none;
}

boost::asio::awaitable<void> Authorize::before_async(http::RequestContext& ctx) {
  const auto loop = co_await boost::asio::this_coro::executor;
  try {
    before(ctx);
  } catch (const http::ApiError& error) {
    if (error.status() == 403) record_denial_(loop, ctx, error.what());
    throw;
  }
}

void Authorize::before(http::RequestContext& ctx) {
  if (ctx.match.route == nullptr) return;
  const auto& options = ctx.match.route->options;
  if (options.access == http::Access::anyone) return;
  if (options.ops_access) {
    if (ctx.is_ops(ops_token_)) {
      ctx.ops = true;
      return;
    }
    if (ctx.auth == AuthState::valid && principal_allowed(options, ctx.principal)) return;
    throw http::ApiError::forbidden(
        "this route answers clients on this host, the ops token, or an admin whose role allows " +
        std::string{security::to_string(options.permission)});
  }
  switch (ctx.auth) {
    case AuthState::none:
      throw http::ApiError::unauthorized(
          "this route needs a session: Authorization: Bearer <token>");
    case AuthState::invalid: {
      http::ApiError error{401, "invalid_token",
                           "the session token is unknown, expired or revoked"};
      error.with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      throw error;
    }
    case AuthState::unavailable: {
      http::ApiError error{503, "session_store_unavailable",
                           "sessions cannot be checked right now; try again shortly"};
      error.with_header("Retry-After", "1");
      throw error;
    }
    case AuthState::valid:
      break;
  }
  if (principal_allowed(options, ctx.principal)) return;
  if (options.permission != security::Permission::none &&
      ctx.principal.kind == Principal::Kind::admin) {
    throw http::ApiError::forbidden("your role does not allow " +
                                    std::string{security::to_string(options.permission)});
  }
  throw http::ApiError::forbidden("this route is not for this kind of account");
}

}  // namespace pend::middleware
