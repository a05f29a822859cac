#include "cache/error_mapping.hpp"

#include "cache/redis_error.hpp"
#include "logging/logger.hpp"

namespace pend::cache {

std::optional<http::ApiError> to_api_error(const std::exception& error,
                                           const http::RequestContext& ctx) {
  const auto* redis = dynamic_cast<const RedisError*>(&error);
  if (redis == nullptr) return std::nullopt;
  logging::warn("API", "REDIS_UNAVAILABLE", redis->what(),
                {{"request_id", ctx.request_id}, {"endpoint", ctx.route_name()}});
  if (redis->kind() == RedisError::Kind::reply) {
    return std::nullopt;  // Redis refused what we sent: our bug, a 500
  }
  http::ApiError api{503, "cache_unavailable", "a dependency is unavailable; try again shortly"};
  api.with_header("Retry-After", "1");
  return api;
}

}  // namespace pend::cache
