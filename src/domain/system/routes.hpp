// System routes for the app: GET /api/v1/config, the public operational switches
// (maintenance mode, whether sign-up is open, upload limits) the app obeys before sign-in.
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::system {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::system
