// Maps RedisError to the API's 503 at the request boundary (a route that needs Redis itself,
// such as the session routes, while Redis is down or timing out).
#pragma once

#include "http/api_error.hpp"
#include "http/request_context.hpp"

#include <optional>

namespace pend::cache {

std::optional<http::ApiError> to_api_error(const std::exception& error,
                                           const http::RequestContext& ctx);

}  // namespace pend::cache
