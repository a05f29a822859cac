// access_log: one structured entry per request (category API, event HTTP_REQUEST) with the
// route template, status, duration, sizes, ids and client. 5xx are logged at error with the
// error code; requests slower than 1 s / 5 s carry the plan's slow / very_slow flags.
#pragma once

#include "http/middleware.hpp"
#include "logging/logger.hpp"

namespace pend::middleware {

class AccessLog final : public http::RequestObserver {
 public:
  explicit AccessLog(logging::Logger& logger) : logger_(logger) {}

  void on_start(const http::RequestContext&) noexcept override {}
  void on_finish(const http::RequestContext& ctx) noexcept override;

 private:
  logging::Logger& logger_;
};

}  // namespace pend::middleware
