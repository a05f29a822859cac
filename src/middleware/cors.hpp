// cors: cross-origin access for the configured origins. Answers preflights (OPTIONS with
// Access-Control-Request-Method) for paths the router knows, and adds the response headers
// to actual requests from allowed origins. Requests from other origins get no CORS headers
// (the browser then blocks them); a preflight from one is refused with 403.
#pragma once

#include "config/settings.hpp"
#include "http/middleware.hpp"

#include <string>

namespace pend::middleware {

class Cors final : public http::Middleware {
 public:
  explicit Cors(const config::CorsSettings& settings);

  std::string_view name() const override { return "cors"; }
  void before(http::RequestContext& ctx) override;
  void after(http::RequestContext& ctx) noexcept override;

  bool origin_allowed(std::string_view origin) const;

 private:
  bool any_origin_;
  std::vector<std::string> origins_;
  bool allow_credentials_;
  std::string allowed_headers_;  // joined, ready to send
  std::string exposed_headers_;
  std::string max_age_;
};

}  // namespace pend::middleware
