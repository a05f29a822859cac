// The request boundary's view of database failures: the one place a DatabaseError becomes an
// API error (STYLE.md: errors map to statuses in exactly one place).
//   23505 unique violation                     409 conflict
//   23503/23514/23502, 22xxx bad data          422 validation_failed
//   connection loss, timeouts, pool exhausted  503 service_unavailable + Retry-After
// Anything else stays unknown and becomes a 500 without internals.
#pragma once

#include "http/api_error.hpp"

#include <exception>
#include <optional>

namespace pend::http {
struct RequestContext;
}

namespace pend::db {

std::optional<http::ApiError> to_api_error(const std::exception& error,
                                           const http::RequestContext& ctx);

}  // namespace pend::db
