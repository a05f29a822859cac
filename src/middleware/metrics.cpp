#include "middleware/metrics.hpp"

#include "http/request_context.hpp"

namespace pend::middleware {

void Metrics::on_start(const http::RequestContext&) noexcept { metrics_.request_started(); }

void Metrics::on_finish(const http::RequestContext& ctx) noexcept {
  const std::chrono::duration<double> elapsed = ctx.finished - ctx.started;
  metrics_.request_finished(ctx.match.template_id, ctx.method, ctx.response.result_int(),
                            elapsed.count(), ctx.request_bytes, ctx.response_bytes);
}

}  // namespace pend::middleware
