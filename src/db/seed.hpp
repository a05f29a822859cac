// `pend-server seed`: the first superadmin (from ADMIN_EMAIL / ADMIN_PASSWORD, hashed with
// Argon2id) and the default system_config rows. Idempotent: an existing admin or row is left
// as it is, so it is safe on every deploy. The password is never logged or printed.
#pragma once

#include "config/settings.hpp"

#include <string>
#include <vector>

namespace pend::db {

struct SeedReport {
  std::string admin;  // "created", "exists", or "skipped (ADMIN_EMAIL not set)"
  int config_rows_created = 0;
};

// Throws DatabaseError (db/blocking_session.hpp) when the database refuses or input is bad.
SeedReport seed(const std::string& database_url, const config::SeedSettings& settings);

}  // namespace pend::db
