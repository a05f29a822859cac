#include "http/http_metrics.hpp"

#include <algorithm>
#include <charconv>

namespace pend::http {
namespace {

constexpr std::size_t kStatusClasses = 5;
constexpr std::size_t kBucketCount = HttpMetrics::kBuckets.size();

// Single writer per slot: a relaxed load and store is an increment no reader can tear.
template <typename T>
void bump(std::atomic<T>& counter, T by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

struct HttpMetrics::Slot {
  struct Series {
    std::array<std::atomic<std::uint64_t>, kBucketCount> buckets{};  // non-cumulative
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_nanos{0};
  };
  explicit Slot(std::size_t series) : series(series) {}
  std::vector<Series> series;
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint64_t> request_bytes{0};
  std::atomic<std::uint64_t> response_bytes{0};
};

HttpMetrics::HttpMetrics(std::vector<std::string> route_templates)
    : template_count_(route_templates.size() + 1),
      slots_([this] { return std::make_unique<Slot>(labels_.size()); }) {
  route_templates.emplace_back("unmatched");
  static constexpr std::array<std::string_view, kStatusClasses> kClasses = {"1xx", "2xx", "3xx",
                                                                            "4xx", "5xx"};
  for (const auto& route : route_templates) {
    for (std::size_t m = 0; m < http::kMethodCount; ++m) {
      for (const auto status_class : kClasses) {
        std::string label = "method=\"";
        label += http::kMethodNames[m];
        label += "\",route=\"";
        metrics::append_label_value(label, route);
        label += "\",status=\"";
        label += status_class;
        label += '"';
        labels_.push_back(std::move(label));
      }
    }
  }
}

HttpMetrics::~HttpMetrics() = default;

std::size_t HttpMetrics::series_index(std::size_t template_id, http::Method method,
                                      unsigned status) const {
  const std::size_t route = std::min(template_id, template_count_ - 1);
  const std::size_t status_class = std::clamp<unsigned>(status / 100, 1, 5) - 1;
  return (route * http::kMethodCount + http::index_of(method)) * kStatusClasses + status_class;
}

void HttpMetrics::request_started() { bump<std::int64_t>(slots_.local().in_flight); }

void HttpMetrics::request_finished(std::size_t template_id, http::Method method, unsigned status,
                                   double seconds, std::size_t request_bytes,
                                   std::size_t response_bytes) {
  Slot& slot = slots_.local();
  bump<std::int64_t>(slot.in_flight, -1);
  bump<std::uint64_t>(slot.request_bytes, request_bytes);
  bump<std::uint64_t>(slot.response_bytes, response_bytes);
  auto& series = slot.series[series_index(template_id, method, status)];
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
  if (bucket < kBucketCount) bump<std::uint64_t>(series.buckets[bucket]);
  bump<std::uint64_t>(series.count);
  bump<std::uint64_t>(series.sum_nanos, static_cast<std::uint64_t>(seconds * 1e9));
}

void HttpMetrics::collect(metrics::PrometheusWriter& out) const {
  std::int64_t in_flight = 0;
  std::uint64_t request_bytes = 0;
  std::uint64_t response_bytes = 0;
  slots_.for_each([&](const Slot& slot) {
    in_flight += slot.in_flight.load(std::memory_order_relaxed);
    request_bytes += slot.request_bytes.load(std::memory_order_relaxed);
    response_bytes += slot.response_bytes.load(std::memory_order_relaxed);
  });

  out.family("http_server_request_duration_seconds", "histogram",
             "Time from a request's head being read to its response being ready.");
  static const std::array<std::string, kBucketCount> kLe = [] {
    std::array<std::string, kBucketCount> le;
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      char buffer[32];
      le[i].assign(buffer, std::to_chars(buffer, buffer + sizeof buffer, kBuckets[i]).ptr);
    }
    return le;
  }();
  for (std::size_t s = 0; s < labels_.size(); ++s) {
    std::array<std::uint64_t, kBucketCount> buckets{};
    std::uint64_t count = 0;
    std::uint64_t sum_nanos = 0;
    slots_.for_each([&](const Slot& slot) {
      const auto& series = slot.series[s];
      for (std::size_t b = 0; b < kBucketCount; ++b) {
        buckets[b] += series.buckets[b].load(std::memory_order_relaxed);
      }
      count += series.count.load(std::memory_order_relaxed);
      sum_nanos += series.sum_nanos.load(std::memory_order_relaxed);
    });
    if (count == 0) continue;
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBucketCount; ++b) {
      cumulative += buckets[b];
      out.sample_raw("http_server_request_duration_seconds_bucket", labels_[s], "le", kLe[b],
                     static_cast<double>(cumulative));
    }
    out.sample_raw("http_server_request_duration_seconds_bucket", labels_[s], "le", "+Inf",
                   static_cast<double>(count));
    out.sample_raw("http_server_request_duration_seconds_sum", labels_[s], "", "",
                   static_cast<double>(sum_nanos) / 1e9);
    out.sample_raw("http_server_request_duration_seconds_count", labels_[s], "", "",
                   static_cast<double>(count));
  }
  out.family("http_server_requests_in_flight", "gauge", "Requests being served now.");
  out.sample("http_server_requests_in_flight", {}, in_flight);
  out.family("http_server_request_body_bytes_total", "counter", "Request body bytes received.");
  out.sample("http_server_request_body_bytes_total", {}, request_bytes);
  out.family("http_server_response_body_bytes_total", "counter", "Response body bytes sent.");
  out.sample("http_server_response_body_bytes_total", {}, response_bytes);
}

}  // namespace pend::http
