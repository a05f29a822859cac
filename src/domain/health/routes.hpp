// Health routes: GET /api/v1/health/live (the process answers) and GET /api/v1/health/ready
// (every registered dependency check passes; 503 with a per-check report otherwise).
#pragma once

#include "health/health_registry.hpp"
#include "http/router.hpp"

namespace pend::domain::health {

void add_routes(http::Router& router, const pend::health::HealthRegistry& registry);

}  // namespace pend::domain::health
