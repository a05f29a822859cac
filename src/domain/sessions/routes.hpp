// The caller's own sign-in sessions: list them, end one, end all (sign out everywhere).
// Sessions are created by sign-in (the auth routes); these routes manage what exists.
#pragma once

#include "cache/session_store.hpp"
#include "http/router.hpp"

namespace pend::domain::sessions {

void add_routes(http::Router& router, cache::SessionStore& sessions);

}  // namespace pend::domain::sessions
