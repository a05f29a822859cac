// authenticate and authorize: who is calling, and whether the route lets them.
//
// Authenticate resolves "Authorization: Bearer <session token>" through the SessionStore
// into ctx.principal, and records in ctx.auth what became of the credentials. It never
// refuses: rate limiting runs next and may key on the principal. Authorize then applies the
// route's Access: 401 without (valid) credentials, 403 for the wrong kind of principal or a
// role without the route's permission, and 503 when the session store (Redis) cannot be
// asked, so an outage never lets anyone in. Routes with ops_access also let in a client on
// this host or the ops token, and answer everyone else 403.
#pragma once

#include "cache/session_store.hpp"
#include "http/middleware.hpp"
#include "security/permissions.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <functional>
#include <optional>

namespace pend::middleware {

// An admin's role as their row says now; empty when the admin is not active (disabled,
// suspended, gone). Asked on every request with an admin session, so a changed role or a
// disabled account counts at once. Throws when it cannot be known (the request gets 503).
using AdminRoles =
    std::function<boost::asio::awaitable<std::optional<security::Role>>(std::string admin_id)>;

class Authenticate final : public http::Middleware {
 public:
  explicit Authenticate(cache::SessionStore& sessions, AdminRoles admin_roles = {})
      : sessions_(sessions), admin_roles_(std::move(admin_roles)) {}

  std::string_view name() const override { return "authenticate"; }
  bool waits(const http::RequestContext& ctx) const override;
  void before(http::RequestContext&) override {}
  boost::asio::awaitable<void> before_async(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}

 private:
  cache::SessionStore& sessions_;
  AdminRoles admin_roles_;
};

// Told of each 403 on an admin route (a role without the permission, a user session, a
// caller outside the ops rule), on the request's loop, before the refusal is answered: the
// security log, a security_events row and the audit trail record it (domain/admin).
using DenialRecorder = std::function<void(const boost::asio::any_io_executor& loop,
                                          const http::RequestContext& ctx, std::string_view why)>;

class Authorize final : public http::Middleware {
 public:
  explicit Authorize(std::string ops_token = {}, DenialRecorder record_denial = {})
      : ops_token_(std::move(ops_token)), record_denial_(std::move(record_denial)) {}

  std::string_view name() const override { return "authorize"; }
  // Admin routes wait, so that a denial can be recorded on the loop; the rest never do.
  bool waits(const http::RequestContext& ctx) const override;
  void before(http::RequestContext& ctx) override;
  boost::asio::awaitable<void> before_async(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}

 private:
  std::string ops_token_;  // secret; empty: only clients on this host
  DenialRecorder record_denial_;
};

}  // namespace pend::middleware
