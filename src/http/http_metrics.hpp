// HttpMetrics: request counts, durations (histogram), sizes and in-flight requests by method,
// route template and status class. Each thread writes its own slot (plain relaxed stores,
// no locks, no shared cache lines); a scrape sums the slots.
#pragma once

#include "http/method.hpp"
#include "metrics/prometheus_writer.hpp"
#include "util/per_thread.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pend::http {

class HttpMetrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  // route_templates[i] is the label of template id i; id == size() is "unmatched".
  explicit HttpMetrics(std::vector<std::string> route_templates);
  ~HttpMetrics();

  void request_started();
  void request_finished(std::size_t template_id, http::Method method, unsigned status,
                        double seconds, std::size_t request_bytes, std::size_t response_bytes);

  void collect(metrics::PrometheusWriter& out) const;

 private:
  struct Slot;
  std::size_t series_index(std::size_t template_id, http::Method method, unsigned status) const;

  std::vector<std::string> labels_;  // pre-rendered method="..",route="..",status=".."
  std::size_t template_count_;
  util::PerThread<Slot> slots_;  // one per recording thread
};

}  // namespace pend::http
