// SQL over system_config, the operational switches the admin panel changes at run time.
#pragma once

#include "db/database.hpp"

#include <boost/json/object.hpp>

#include <optional>

namespace pend::domain::system {

struct PublicConfig {
  boost::json::object values;               // key -> its JSON value
  std::optional<db::Timestamp> updated_at;  // the newest change among them
};

boost::asio::awaitable<PublicConfig> load_public_config(db::Database& database,
                                                        const db::Scope& scope);

}  // namespace pend::domain::system
