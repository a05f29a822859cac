// security_headers: helmet's defaults for a JSON API, on every response (errors included):
// nosniff, frame deny, no referrer, a deny-all CSP, isolation headers, no caching of API
// answers unless the handler says otherwise, and HSTS when the client came over TLS.
// Beast sends no Server header, so no version leaks.
#pragma once

#include "http/middleware.hpp"

#include <string>

namespace pend::middleware {

class SecurityHeaders final : public http::Middleware {
 public:
  explicit SecurityHeaders(bool hsts_always);

  std::string_view name() const override { return "security_headers"; }
  void before(http::RequestContext&) override {}
  void after(http::RequestContext& ctx) noexcept override;
  bool runs_on_rejected() const override { return true; }

 private:
  bool hsts_always_;
  std::string headers_;       // rendered once: the connection writes them verbatim
  std::string headers_hsts_;  // the same plus Strict-Transport-Security
  std::string page_headers_, page_headers_hsts_;  // for pages (ctx.page): their own policy
};

}  // namespace pend::middleware
