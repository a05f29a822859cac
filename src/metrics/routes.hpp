// GET /metrics: the Prometheus exposition of every registered collector. Guarded by a bearer
// token and/or loopback-only access, as configured (metrics.token, metrics.loopback_only).
#pragma once

#include "config/settings.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"

namespace pend::metrics {

void add_routes(http::Router& router, const Registry& registry,
                const config::MetricsSettings& settings);

}  // namespace pend::metrics
