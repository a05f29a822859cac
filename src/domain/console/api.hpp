// The admin console's API types (docs/architecture/admin.md): the investigation queries
// (users, security events, server logs, the audit trail), the changes admins make (each with
// its justification) and the four-eyes approvals. Lists answer rows as the tables hold them,
// in cursor pages (DESIGN.md); never a phone number, its hash, a password or a TOTP secret.
#pragma once

#include "domain/users/model.hpp"
#include "http/problems.hpp"
#include "security/permissions.hpp"
#include "util/time.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pend::domain::console::api {

enum class Severity : std::uint8_t { low, medium, high, critical };
BOOST_DESCRIBE_ENUM(Severity, low, medium, high, critical)
enum class Level : std::uint8_t { error, warn, info, debug, trace };
BOOST_DESCRIBE_ENUM(Level, error, warn, info, debug, trace)
enum class Outcome : std::uint8_t { allowed, refused, pending, approved, rejected, expired };
BOOST_DESCRIBE_ENUM(Outcome, allowed, refused, pending, approved, rejected, expired)
enum class ApprovalStatus : std::uint8_t { pending, approved, rejected, expired };
BOOST_DESCRIBE_ENUM(ApprovalStatus, pending, approved, rejected, expired)

// ---- investigations ----------------------------------------------------------------------

struct UserSearchQuery {
  static constexpr std::string_view kSchema = "AdminUserSearchQuery";
  std::optional<std::string> id;
  std::optional<std::string> address;  // any case; matched as EIP-55
  std::optional<std::string> phone;    // hashed with the pepper for the lookup, never stored
  std::optional<users::Status> status;
  std::optional<std::int64_t> tier;
  std::optional<util::Microseconds> created_from;  // inclusive
  std::optional<util::Microseconds> created_to;    // exclusive
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(UserSearchQuery, (),
                      (id, address, phone, status, tier, created_from, created_to, limit, cursor))

struct SecurityEventQuery {
  static constexpr std::string_view kSchema = "AdminSecurityEventQuery";
  std::optional<std::string> type;
  std::optional<Severity> severity;
  std::optional<std::string> ip_address;
  std::optional<std::string> user_id;
  std::optional<bool> investigated;
  std::optional<util::Microseconds> from;
  std::optional<util::Microseconds> to;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(SecurityEventQuery, (),
                      (type, severity, ip_address, user_id, investigated, from, to, limit, cursor))

struct Investigation {
  static constexpr std::string_view kSchema = "AdminInvestigation";
  std::string notes;
  bool false_positive = false;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(Investigation, (), (notes, false_positive))

// A bounded range is required (from and to, at most 31 days apart): it is what prunes the
// monthly partitions.
struct LogQuery {
  static constexpr std::string_view kSchema = "AdminLogQuery";
  std::optional<util::Microseconds> from;
  std::optional<util::Microseconds> to;
  std::optional<Level> level;
  std::optional<std::string> category;
  std::optional<std::string> event_type;
  std::optional<std::string> request_id;
  std::optional<std::string> correlation_id;
  std::optional<std::string> user_id;
  std::optional<std::string> endpoint;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(LogQuery, (),
                      (from, to, level, category, event_type, request_id, correlation_id, user_id,
                       endpoint, limit, cursor))

struct AuditQuery {
  static constexpr std::string_view kSchema = "AdminAuditQuery";
  std::optional<std::string> admin_id;
  std::optional<std::string> resource_type;
  std::optional<std::string> resource_id;
  std::optional<std::string> action;
  std::optional<Outcome> outcome;
  std::optional<util::Microseconds> from;
  std::optional<util::Microseconds> to;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(AuditQuery, (),
                      (admin_id, resource_type, resource_id, action, outcome, from, to, limit,
                       cursor))

struct ApprovalQuery {
  static constexpr std::string_view kSchema = "AdminApprovalQuery";
  std::optional<ApprovalStatus> status;  // pending by default
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(ApprovalQuery, (), (status, limit, cursor))

// ---- changes -----------------------------------------------------------------------------

// Why: every change carries it into the audit trail (1-1000 characters).
struct Justified {
  static constexpr std::string_view kSchema = "AdminJustification";
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(Justified, (), (justification))

struct TierChange {
  static constexpr std::string_view kSchema = "AdminTierChange";
  std::int64_t tier = 0;
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(TierChange, (), (tier, justification))

struct RoleChange {
  static constexpr std::string_view kSchema = "AdminRoleChange";
  pend::security::Role role = pend::security::Role::viewer;
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(RoleChange, (), (role, justification))

struct NewAdmin {
  static constexpr std::string_view kSchema = "AdminCreate";
  std::string email;
  std::string display_name;
  pend::security::Role role = pend::security::Role::viewer;
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(NewAdmin, (), (email, display_name, role, justification))

struct CacheInvalidation {
  static constexpr std::string_view kSchema = "AdminCacheInvalidation";
  std::string pattern;  // a Redis glob such as api:GET:/api/v1/explorer/*
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(CacheInvalidation, (), (pattern, justification))

// ---- the chain's API keys and tracked assets ----------------------------------------------

enum class ApiKeyStatus : std::uint8_t { active, revoked };
BOOST_DESCRIBE_ENUM(ApiKeyStatus, active, revoked)

struct ApiKeyQuery {
  static constexpr std::string_view kSchema = "AdminApiKeyQuery";
  std::optional<ApiKeyStatus> status;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
};
BOOST_DESCRIBE_STRUCT(ApiKeyQuery, (), (status, limit, cursor))

// A key for the Etherscan API (GET /api) with its own limits: calls a second, and a day when
// per_day is given.
struct NewApiKey {
  static constexpr std::string_view kSchema = "AdminApiKeyCreate";
  std::string name;
  std::int64_t per_second = 0;
  std::optional<std::int64_t> per_day;
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(NewApiKey, (), (name, per_second, per_day, justification))

struct ApiKeyLimits {
  static constexpr std::string_view kSchema = "AdminApiKeyLimits";
  std::int64_t per_second = 0;
  std::optional<std::int64_t> per_day;  // absent: no daily cap
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(ApiKeyLimits, (), (per_second, per_day, justification))

// A token contract the wallet app shows (GET /api/v1/assets) and whose events the indexer
// decodes; one not seen yet is added, its metadata fetched by the indexer.
struct TrackAsset {
  static constexpr std::string_view kSchema = "AdminAssetTrack";
  std::string address;              // any case when all-lower or all-upper, else EIP-55
  std::optional<std::string> type;  // ERC-20 (the default), ERC-721 or ERC-1155
  std::string justification;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(TrackAsset, (), (address, type, justification))

// What a change did: 200 when it ran (applied), 202 when it waits for a second admin
// (pending, with the approval request's id).
struct ChangeResult {
  static constexpr std::string_view kSchema = "AdminChangeResult";
  std::string status;  // applied | pending
  std::string action;
  std::string resource_type;
  std::string resource_id;
  boost::json::value old_values;
  boost::json::value new_values;
  std::string audit_id;
  std::optional<std::string> approval_id;
  std::optional<util::Microseconds> expires_at;
  // Only when an admin was created: the one-time password, shown once.
  std::optional<std::string> one_time_password;
  // Only when an API key was made: the key, shown once (stored only as its hash).
  std::optional<std::string> api_key;
};
BOOST_DESCRIBE_STRUCT(ChangeResult, (),
                      (status, action, resource_type, resource_id, old_values, new_values, audit_id,
                       approval_id, expires_at, one_time_password, api_key))

}  // namespace pend::domain::console::api
