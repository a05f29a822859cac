#include "middleware/request_id.hpp"

#include "http/request_context.hpp"
#include "util/ids.hpp"

#include <algorithm>

namespace pend::middleware {

bool is_well_formed_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 36 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  });
}

void RequestId::before(http::RequestContext& ctx) {
  const auto offered = ctx.request["X-Request-Id"];
  ctx.request_id =
      is_well_formed_request_id(offered) ? std::string{offered} : util::new_request_id();
  if (ctx.correlation_id.empty()) ctx.correlation_id = ctx.request_id;
}

void RequestId::after(http::RequestContext& ctx) noexcept {
  ctx.response.set("X-Request-Id", ctx.request_id);
}

}  // namespace pend::middleware
