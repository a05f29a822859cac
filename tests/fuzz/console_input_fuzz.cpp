// The admin console's inputs as its routes read them: query strings decoded into each
// investigation query (validated: UUIDs, addresses, the logs' bounded range) and JSON bodies
// into each change (justifications, tiers, roles, cache patterns). Decoding yields values or
// the API's 400 / 422, nothing else; a cache pattern accepted stays in the cache's
// namespaces, a logs range accepted is bounded.
#include "domain/console/api.hpp"
#include "http/api_error.hpp"
#include "http/json_mapping.hpp"
#include "http/query.hpp"

#include <boost/json/parse.hpp>

using namespace pend;
namespace api = domain::console::api;

namespace {

template <typename T>
void query(std::string_view text) {
  try {
    (void)http::decode_query<T>(text);
  } catch (const http::ApiError& error) {
    if (error.status() != 400 && error.status() != 422) __builtin_trap();
  }
}

template <typename T>
bool body(const boost::json::value& value, T& out) {
  http::Problems problems;
  http::decode(value, out, {}, problems);
  if (problems.empty()) out.validate(problems);
  (void)problems.to_json();
  return problems.empty();
}

void logs(std::string_view text) {
  try {
    const auto q = http::decode_query<api::LogQuery>(text);
    if (!q.from || !q.to || *q.to <= *q.from || *q.to - *q.from > std::chrono::days(31)) {
      __builtin_trap();
    }
  } catch (const http::ApiError& error) {
    if (error.status() != 400 && error.status() != 422) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 6) {
    case 0:
      query<api::UserSearchQuery>(text);
      return 0;
    case 1:
      query<api::SecurityEventQuery>(text);
      return 0;
    case 2:
      logs(text);
      return 0;
    case 3:
      query<api::AuditQuery>(text);
      return 0;
    default:
      break;
  }
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec) return 0;
  if (data[0] % 6 == 4) {
    api::CacheInvalidation invalidation;
    if (body(value, invalidation) && !invalidation.pattern.starts_with("api:") &&
        !invalidation.pattern.starts_with("blockchain:") &&
        !invalidation.pattern.starts_with("metrics:")) {
      __builtin_trap();
    }
    return 0;
  }
  api::TierChange tier;
  if (body(value, tier) && (tier.tier < 0 || tier.tier > 5 || tier.justification.empty())) {
    __builtin_trap();
  }
  api::RoleChange role;
  (void)body(value, role);
  api::NewAdmin admin;
  (void)body(value, admin);
  api::Investigation investigation;
  (void)body(value, investigation);
  return 0;
}
