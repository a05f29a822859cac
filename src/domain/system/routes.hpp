// System routes for the app: GET /api/v1/config, the public operational switches
// (maintenance mode, whether sign-up is open, upload limits) the app obeys before sign-in.
#pragma once

#include "db/database.hpp"
#include "http/router.hpp"

namespace pend::domain::system {

void add_routes(http::Router& router, db::Database& database);

}  // namespace pend::domain::system
