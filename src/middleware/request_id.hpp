// request_id: every response carries X-Request-Id. A client's id is kept when well-formed
// (1-36 characters of A-Z a-z 0-9 . _ : -, so it fits server_logs.request_id); otherwise a
// new UUIDv7 is minted.
#pragma once

#include "http/middleware.hpp"

#include <string_view>

namespace pend::middleware {

bool is_well_formed_request_id(std::string_view id);

class RequestId final : public http::Middleware {
 public:
  std::string_view name() const override { return "request_id"; }
  void before(http::RequestContext& ctx) override;
  void after(http::RequestContext& ctx) noexcept override;
  bool runs_on_rejected() const override { return true; }
};

}  // namespace pend::middleware
