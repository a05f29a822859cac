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
  // Pages (the API reference): this origin's scripts, styles (Redoc sets inline ones), images
  // and fonts, its web worker from a blob; still nothing from anywhere else, and no framing.
  const std::string api_policy =
      "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";
  const std::string page_policy =
      "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self' "
      "'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
      "worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'\r\n";
  page_headers_ = headers_;
  page_headers_.replace(page_headers_.find(api_policy), api_policy.size(), page_policy);
  page_headers_hsts_ =
      page_headers_ + "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
}

void SecurityHeaders::after(http::RequestContext& ctx) noexcept {
  const bool hsts = hsts_always_ || ctx.client_tls;
  if (ctx.page)
    ctx.static_headers = hsts ? page_headers_hsts_ : page_headers_;
  else
    ctx.static_headers = hsts ? headers_hsts_ : headers_;
  auto& res = ctx.response;
  if (res.find(beast_http::field::cache_control) == res.end()) {
    res.set(beast_http::field::cache_control, "no-store");
  }
}

}  // namespace pend::middleware
