#include "metrics/registry.hpp"

namespace pend::metrics {

std::string Registry::render() const {
  PrometheusWriter out;
  for (const auto& collector : collectors_) collector(out);
  return out.release();
}

}  // namespace pend::metrics
