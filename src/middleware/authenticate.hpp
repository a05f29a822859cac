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

#include <atomic>

namespace pend::middleware {

class Authenticate final : public http::Middleware {
 public:
  explicit Authenticate(cache::SessionStore& sessions) : sessions_(sessions) {}

  std::string_view name() const override { return "authenticate"; }
  bool waits(const http::RequestContext& ctx) const override;
  void before(http::RequestContext&) override {}
  boost::asio::awaitable<void> before_async(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}

 private:
  cache::SessionStore& sessions_;
};

class Authorize final : public http::Middleware {
 public:
  explicit Authorize(std::string ops_token = {}) : ops_token_(std::move(ops_token)) {}

  std::string_view name() const override { return "authorize"; }
  void before(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}

 private:
  std::string ops_token_;  // secret; empty: only clients on this host
};

}  // namespace pend::middleware
