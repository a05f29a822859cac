// The admin console's routes (docs/architecture/admin.md): investigations of users,
// security events, server logs and the audit trail; the changes admins make; the four-eyes
// approvals. Every route is an admin route with its permission (the role matrix test).
#pragma once

#include "domain/common/deps.hpp"
#include "domain/common/feature.hpp"

#include <memory>

namespace pend::domain::console {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::console
