// GET /metrics: the Prometheus exposition of every registered collector. Guarded by a bearer
// token and/or loopback-only access, as configured (metrics.token, metrics.loopback_only).
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::metrics {

// Null when metrics.enabled is false.
std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::metrics
