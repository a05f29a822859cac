// metrics: feeds every request into HttpMetrics (duration histogram by method, route
// template and status class; in-flight gauge; sizes).
#pragma once

#include "http/middleware.hpp"
#include "metrics/http_metrics.hpp"

namespace pend::middleware {

class Metrics final : public http::RequestObserver {
 public:
  explicit Metrics(metrics::HttpMetrics& metrics) : metrics_(metrics) {}

  void on_start(const http::RequestContext&) noexcept override;
  void on_finish(const http::RequestContext& ctx) noexcept override;

 private:
  metrics::HttpMetrics& metrics_;
};

}  // namespace pend::middleware
