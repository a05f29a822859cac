// RequestPipeline: route, middleware chain, handler, and the error boundary that turns every
// failure into the JSON envelope. One per process, shared read-only by all shards.
#pragma once

#include "http/api_error.hpp"
#include "http/middleware.hpp"
#include "http/request_context.hpp"
#include "http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace pend::http {

// Maps an infrastructure exception (a database conflict, an outage) to its API error; empty
// for exceptions it does not know, which become 500.
using ErrorTranslator =
    std::function<std::optional<ApiError>(const std::exception&, const RequestContext&)>;

class RequestPipeline {
 public:
  RequestPipeline(std::shared_ptr<const Router> router,
                  std::vector<std::shared_ptr<Middleware>> chain,
                  std::vector<std::shared_ptr<RequestObserver>> observers,
                  std::vector<ErrorTranslator> translators = {});

  // Runs one request to its final response in ctx.response. Never throws.
  boost::asio::awaitable<void> handle(RequestContext& ctx) const;

  // Answers a request the connection refused before routing (too large, malformed).
  void reject(RequestContext& ctx, const ApiError& error) const;

  const Router& router() const { return *router_; }

 private:
  void start(RequestContext& ctx) const;
  void finish(RequestContext& ctx, std::size_t middleware_ran) const;

  std::shared_ptr<const Router> router_;
  std::vector<std::shared_ptr<Middleware>> chain_;
  std::vector<std::shared_ptr<RequestObserver>> observers_;
  std::vector<ErrorTranslator> translators_;
};

// Writes the DESIGN.md error envelope for error into ctx.response (or Etherscan's, for a
// route of ErrorStyle::etherscan).
void write_error(RequestContext& ctx, const ApiError& error);

// Whether a Content-Type is application/x-www-form-urlencoded (parameters ignored).
bool is_form(std::string_view content_type);

// The error a failed route match stands for (404, 405, 400 for a mistyped path parameter).
ApiError routing_error(const RouteMatch& match);

}  // namespace pend::http
