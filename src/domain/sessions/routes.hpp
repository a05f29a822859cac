// The caller's own sign-in sessions: list them, end one, end all (sign out everywhere).
// Sessions are created by sign-in (the auth routes); these routes manage what exists.
//
//   GET    /api/v1/sessions                     the caller's live sessions
//   DELETE /api/v1/sessions/current             sign out here
//   DELETE /api/v1/sessions/{id}                end one of the caller's sessions
//   DELETE /api/v1/sessions[?keep_current=true] sign out everywhere (else)
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::sessions {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::sessions
