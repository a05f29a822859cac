// The signed-in user's own profile:
//
//   GET   /api/v1/me      id, address, tier, status, country, email, dates (never the phone)
//   PATCH /api/v1/me      {email}
//
// A new wallet address is the auth feature's (PUT /api/v1/me/address): it needs a code.
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::users {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::users
