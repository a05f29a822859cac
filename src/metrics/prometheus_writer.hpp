// PrometheusWriter: builds the text exposition format (version 0.0.4) for /metrics.
//
//   PrometheusWriter out;
//   out.family("http_requests_in_flight", "gauge", "Requests being served.");
//   out.sample("http_requests_in_flight", {}, 3);
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace pend::metrics {

using Label = std::pair<std::string_view, std::string_view>;

class PrometheusWriter {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, std::int64_t value);

  // For label sets built at run time ("le" of histogram buckets): pre-rendered label text
  // such as method="GET",route="/x" (already escaped), plus one more label.
  void sample_raw(std::string_view name, std::string_view labels, std::string_view extra_label,
                  std::string_view extra_value, double value);

  const std::string& text() const { return out_; }
  std::string release() { return std::move(out_); }

 private:
  void labels(std::initializer_list<Label> labels);
  void integer_sample(std::string_view name, std::initializer_list<Label> labels,
                      std::string_view digits);
  void value(double value);
  std::string out_;
};

// Escapes a label value (backslash, quote, newline) as the format requires.
void append_label_value(std::string& out, std::string_view value);

}  // namespace pend::metrics
