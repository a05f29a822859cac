// api_metrics: an api_metrics row for every request (or metrics.api_metrics_sample_percent
// of them, spread evenly): route template, method, status, time, sizes, cache hit, user,
// error code, the request's database and outbound-call time, requests in flight, and the
// process's memory and CPU. Written on the request thread, as the COPY line of its row, into
// the log's ring as a record of its own kind; the PostgreSQL sink for api_metrics streams
// them by COPY, with the log's batching and spool (sinks/api_metrics_target.hpp).
#pragma once

#include "http/middleware.hpp"
#include "logging/logger.hpp"
#include "metrics/process_sampler.hpp"
#include "util/striped_counter.hpp"

namespace pend::middleware {

class ApiMetrics final : public http::RequestObserver {
 public:
  ApiMetrics(logging::Logger& logger, const metrics::ProcessSampler& process,
             unsigned sample_percent)
      : logger_(logger), process_(process), sample_percent_(sample_percent) {}

  void on_start(const http::RequestContext&) noexcept override { in_flight_.add(1); }
  void on_finish(const http::RequestContext& ctx) noexcept override;

 private:
  logging::Logger& logger_;
  const metrics::ProcessSampler& process_;
  unsigned sample_percent_;
  util::StripedCounter in_flight_;
};

}  // namespace pend::middleware
