// Health routes: GET /api/v1/health/live (the process answers) and GET /api/v1/health/ready
// (every registered dependency check passes; 503 with a per-check report otherwise).
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::health {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::health
