#include "middleware/security_headers.hpp"

#include "http/request_context.hpp"

namespace pend::middleware {

namespace beast_http = boost::beast::http;

SecurityHeaders::SecurityHeaders(bool hsts_always) : hsts_always_(hsts_always) {
  headers_ =
      "X-Content-Type-Options: nosniff\r\n"
      "X-Frame-Options: DENY\r\n"
      "Referrer-Policy: no-referrer\r\n"
      "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
      "Cross-Origin-Opener-Policy: same-origin\r\n"
      "Cross-Origin-Resource-Policy: same-origin\r\n"
      "X-Permitted-Cross-Domain-Policies: none\r\n"
      "X-DNS-Prefetch-Control: off\r\n";
  headers_hsts_ = headers_ + "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
}

void SecurityHeaders::after(http::RequestContext& ctx) noexcept {
  ctx.static_headers = hsts_always_ || ctx.client_tls ? headers_hsts_ : headers_;
  auto& res = ctx.response;
  if (res.find(beast_http::field::cache_control) == res.end()) {
    res.set(beast_http::field::cache_control, "no-store");
  }
}

}  // namespace pend::middleware
