// Admin roles and what they may do: the one table in code that maps each role to its
// permissions (docs/architecture/admin.md prints it). Routes declare the permission they
// need in their RouteOptions; the authorize middleware checks it against the caller's role,
// which is read again on every request (a changed role counts at once).
//
//   security::allows(Role::support, Permission::users_write)   // true
//   security::to_string(Permission::kyc_review)                // "kyc.review"
#pragma once

#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pend::security {

enum class Permission : std::uint8_t {
  none,  // no permission needed (the route's Access decides alone)
  users_read,
  users_write,
  kyc_review,
  logs_read,
  metrics_read,
  security_investigate,
  audit_read,
  approvals_decide,
  admins_manage,
  cache_invalidate,
  assets_manage,
  api_keys_manage,
};

enum class Role : std::uint8_t { viewer, support, compliance, admin, superadmin };
BOOST_DESCRIBE_ENUM(Role, viewer, support, compliance, admin, superadmin)

std::string_view to_string(Permission permission);  // "users.read"
std::optional<Permission> parse_permission(std::string_view name);
std::span<const Permission> all_permissions();  // every permission but none

bool allows(Role role, Permission permission);
std::span<const Permission> permissions_of(Role role);

}  // namespace pend::security
