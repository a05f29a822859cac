// Registry: the collectors behind /metrics. Components register a collector at start-up
// (before serving); a scrape calls each in order. Registration is not thread-safe by design:
// it happens once, in the composition root.
//
//   registry.add([&](PrometheusWriter& out) { out.family(...); out.sample(...); });
#pragma once

#include "metrics/prometheus_writer.hpp"

#include <functional>
#include <string>
#include <vector>

namespace pend::metrics {

class Registry {
 public:
  using Collector = std::function<void(PrometheusWriter&)>;

  void add(Collector collector) { collectors_.push_back(std::move(collector)); }
  std::string render() const;

 private:
  std::vector<Collector> collectors_;
};

}  // namespace pend::metrics
