#include "domain/console/api.hpp"

#include "domain/common/validation.hpp"
#include "security/evm_address.hpp"
#include "util/uuid.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>

namespace pend::domain::console::api {

namespace {

void check_uuid(http::Problems& problems, std::string_view field,
                const std::optional<std::string>& value) {
  if (value && !util::is_uuid(*value))
    problems.add(std::string{field}, "invalid_value", "must be a UUID");
}

void check_text(http::Problems& problems, std::string_view field,
                const std::optional<std::string>& value, std::size_t max) {
  if (value) check_length(problems, field, *value, 1, max);
}

void check_order(http::Problems& problems, std::string_view field,
                 const std::optional<util::Microseconds>& from,
                 const std::optional<util::Microseconds>& to) {
  if (from && to && *to <= *from)
    problems.add(std::string{field}, "invalid_value", "must be after from");
}

void check_justification(http::Problems& problems, const std::string& justification) {
  check_length(problems, "justification", justification, 1, 1000);
}

}  // namespace

void UserSearchQuery::validate(http::Problems& problems) const {
  check_uuid(problems, "id", id);
  check_text(problems, "address", address, 42);
  check_text(problems, "phone", phone, 32);
  if (tier) check_range(problems, "tier", *tier, 0, 5);
  check_order(problems, "created_to", created_from, created_to);
}

void SecurityEventQuery::validate(http::Problems& problems) const {
  check_text(problems, "type", type, 50);
  if (ip_address) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(*ip_address, ec);
    if (ec) problems.add("ip_address", "invalid_value", "must be an IPv4 or IPv6 address");
  }
  check_uuid(problems, "user_id", user_id);
  check_order(problems, "to", from, to);
}

void Investigation::validate(http::Problems& problems) const {
  check_length(problems, "notes", notes, 1, 4000);
}

void LogQuery::validate(http::Problems& problems) const {
  if (!from) problems.add("from", "required", "a bounded time range is required: from and to");
  if (!to) problems.add("to", "required", "a bounded time range is required: from and to");
  check_order(problems, "to", from, to);
  if (from && to && *to - *from > std::chrono::days(31)) {
    problems.add("to", "out_of_range", "the range may span at most 31 days");
  }
  check_text(problems, "category", category, 50);
  check_text(problems, "event_type", event_type, 50);
  check_text(problems, "request_id", request_id, 36);
  check_text(problems, "correlation_id", correlation_id, 36);
  check_uuid(problems, "user_id", user_id);
  check_text(problems, "endpoint", endpoint, 255);
}

void AuditQuery::validate(http::Problems& problems) const {
  check_uuid(problems, "admin_id", admin_id);
  check_text(problems, "resource_type", resource_type, 50);
  check_text(problems, "resource_id", resource_id, 255);
  check_text(problems, "action", action, 100);
  check_order(problems, "to", from, to);
}

void Justified::validate(http::Problems& problems) const {
  check_justification(problems, justification);
}

void TierChange::validate(http::Problems& problems) const {
  check_range(problems, "tier", tier, 0, 5);
  check_justification(problems, justification);
}

void RoleChange::validate(http::Problems& problems) const {
  check_justification(problems, justification);
}

void NewAdmin::validate(http::Problems& problems) const {
  check_email(problems, "email", email);
  check_length(problems, "display_name", display_name, 1, 100);
  check_justification(problems, justification);
}

namespace {

void check_limits(http::Problems& problems, std::int64_t per_second,
                  const std::optional<std::int64_t>& per_day) {
  check_range(problems, "per_second", per_second, 1, 100'000);
  if (per_day) check_range(problems, "per_day", *per_day, 1, 2'000'000'000);
}

}  // namespace

void NewApiKey::validate(http::Problems& problems) const {
  check_length(problems, "name", name, 1, 100);
  check_limits(problems, per_second, per_day);
  check_justification(problems, justification);
}

void ApiKeyLimits::validate(http::Problems& problems) const {
  check_limits(problems, per_second, per_day);
  check_justification(problems, justification);
}

void TrackAsset::validate(http::Problems& problems) const {
  pend::security::AddressProblem problem{};
  if (!pend::security::parse_address(address, &problem)) {
    problems.add("address", "invalid_address",
                 problem == pend::security::AddressProblem::checksum
                     ? "the EIP-55 checksum is wrong"
                     : "must be 0x and 40 hexadecimal digits");
  }
  if (type && *type != "ERC-20" && *type != "ERC-721" && *type != "ERC-1155") {
    problems.add("type", "invalid_value", "must be ERC-20, ERC-721 or ERC-1155");
  }
  check_justification(problems, justification);
}

void CacheInvalidation::validate(http::Problems& problems) const {
  check_length(problems, "pattern", pattern, 1, 200);
  // Only the cache's own namespaces (cache/cache_service.hpp): never sessions, rate limits,
  // sign-in tickets or a pattern that matches every key.
  bool cache_key = false;
  for (const std::string_view prefix : {"api:", "blockchain:", "metrics:"}) {
    cache_key = cache_key || pattern.starts_with(prefix);
  }
  if (!pattern.empty() && !cache_key) {
    problems.add("pattern", "invalid_value",
                 "must start with a cache namespace: api:, blockchain: or metrics:");
  }
  check_justification(problems, justification);
}

}  // namespace pend::domain::console::api
