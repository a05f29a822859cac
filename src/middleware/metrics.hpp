// metrics: feeds every request into HttpMetrics (duration histogram by method, route
// template and status class; in-flight gauge; sizes).
#pragma once

#include "http/http_metrics.hpp"
#include "http/middleware.hpp"

namespace pend::middleware {

class Metrics final : public http::RequestObserver {
 public:
  explicit Metrics(http::HttpMetrics& metrics) : metrics_(metrics) {}

  void on_start(const http::RequestContext&) noexcept override;
  void on_finish(const http::RequestContext& ctx) noexcept override;

 private:
  http::HttpMetrics& metrics_;
};

}  // namespace pend::middleware
