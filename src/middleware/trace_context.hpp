// trace_context: W3C traceparent. A valid incoming header makes its trace id this request's
// correlation id (logs, outbound calls) and gives this server's span a fresh span id.
// Without one the correlation id stays the request id.
#pragma once

#include "http/middleware.hpp"
#include "http/request_context.hpp"

#include <optional>
#include <string_view>

namespace pend::middleware {

// Parses "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>" per the W3C rules
// (lowercase hex, ids not all zero, version ff invalid, longer only for future versions).
std::optional<http::TraceContext> parse_traceparent(std::string_view header);

class TraceContextMiddleware final : public http::Middleware {
 public:
  std::string_view name() const override { return "trace_context"; }
  void before(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}
  bool runs_on_rejected() const override { return true; }
};

}  // namespace pend::middleware
