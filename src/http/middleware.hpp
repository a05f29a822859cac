// Middleware and request observers: the two kinds of cross-cutting units on the request path.
// The chain's order is fixed by the composition root (app/application.cpp) and documented in
// docs/architecture/request-path.md.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace pend::http {

struct RequestContext;

class Middleware {
 public:
  virtual ~Middleware() = default;
  virtual std::string_view name() const = 0;

  // Before the handler, in chain order. Throw ApiError to refuse the request, or fill
  // ctx.response and set ctx.answered to answer it without the handler.
  virtual void before(RequestContext& ctx) = 0;

  // Middleware that must wait for something (Redis) for this request says so here and does
  // its work in before_async(), which the pipeline then awaits instead of calling before().
  // Requests it has nothing to wait for stay plain calls: no coroutine frame per request.
  virtual bool waits(const RequestContext&) const { return false; }
  virtual boost::asio::awaitable<void> before_async(RequestContext& ctx);

  // After the response is final (errors and early answers included), in reverse order, for
  // every middleware whose before() ran.
  virtual void after(RequestContext& ctx) noexcept = 0;

  // Whether before() also runs for requests refused by the connection before routing
  // (413, 431, malformed), so that their error envelope still carries ids.
  virtual bool runs_on_rejected() const { return false; }
};

// Told once when a request starts and once when its response is final (access log, metrics).
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_start(const RequestContext& ctx) noexcept = 0;
  virtual void on_finish(const RequestContext& ctx) noexcept = 0;
};

}  // namespace pend::http
