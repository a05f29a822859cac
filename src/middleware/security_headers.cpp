#include "middleware/security_headers.hpp"

#include "http/request_context.hpp"

namespace pend::middleware {

namespace beast_http = boost::beast::http;

void SecurityHeaders::after(http::RequestContext& ctx) noexcept {
  auto& res = ctx.response;
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.set("X-Permitted-Cross-Domain-Policies", "none");
  res.set("X-DNS-Prefetch-Control", "off");
  if (res.find(beast_http::field::cache_control) == res.end()) {
    res.set(beast_http::field::cache_control, "no-store");
  }
  if (hsts_always_ || ctx.client_tls) {
    res.set(beast_http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
  }
}

}  // namespace pend::middleware
