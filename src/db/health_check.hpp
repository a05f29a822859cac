// The readiness check for PostgreSQL: one statement through the calling shard's pool, and
// the pools' figures (open, idle, in use, waiting) across all shards.
#pragma once

#include "db/database.hpp"
#include "health/health_registry.hpp"

namespace pend::db {

boost::asio::awaitable<health::CheckResult> check_health(Database& database,
                                                         std::chrono::milliseconds timeout);

}  // namespace pend::db
