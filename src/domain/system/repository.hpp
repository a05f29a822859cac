// SQL over system_config, the operational switches the admin panel changes at run time.
#pragma once

#include "db/database.hpp"
#include "domain/system/api.hpp"

namespace pend::domain::system {

boost::asio::awaitable<api::PublicConfig> load_public_config(db::Database& database,
                                                             const db::Scope& scope);

}  // namespace pend::domain::system
