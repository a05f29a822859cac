#include "security/permissions.hpp"

#include <array>

namespace pend::security {

namespace {

using P = Permission;

struct Named {
  Permission permission;
  std::string_view name;
};

constexpr std::array<Named, 12> kNames{{
    {P::users_read, "users.read"},
    {P::users_write, "users.write"},
    {P::kyc_review, "kyc.review"},
    {P::logs_read, "logs.read"},
    {P::metrics_read, "metrics.read"},
    {P::security_investigate, "security.investigate"},
    {P::audit_read, "audit.read"},
    {P::approvals_decide, "approvals.decide"},
    {P::admins_manage, "admins.manage"},
    {P::cache_invalidate, "cache.invalidate"},
    {P::assets_manage, "assets.manage"},
    {P::api_keys_manage, "api_keys.manage"},
}};

constexpr std::array<Permission, 12> kAll{
    P::users_read,    P::users_write,          P::kyc_review,    P::logs_read,
    P::metrics_read,  P::security_investigate, P::audit_read,    P::approvals_decide,
    P::admins_manage, P::cache_invalidate,     P::assets_manage, P::api_keys_manage};

// Least privilege: each role has what its work needs, and each one above has more.
constexpr std::array<Permission, 3> kViewer{P::users_read, P::logs_read, P::metrics_read};
constexpr std::array<Permission, 5> kSupport{P::users_read, P::users_write, P::logs_read,
                                             P::metrics_read, P::security_investigate};
constexpr std::array<Permission, 7> kCompliance{
    P::users_read,   P::users_write,          P::kyc_review, P::logs_read,
    P::metrics_read, P::security_investigate, P::audit_read};
constexpr std::array<Permission, 11> kAdmin{
    P::users_read,       P::users_write,          P::kyc_review,     P::logs_read,
    P::metrics_read,     P::security_investigate, P::audit_read,     P::approvals_decide,
    P::cache_invalidate, P::assets_manage,        P::api_keys_manage};

}  // namespace

std::string_view to_string(Permission permission) {
  for (const auto& named : kNames) {
    if (named.permission == permission) return named.name;
  }
  return "none";
}

std::optional<Permission> parse_permission(std::string_view name) {
  for (const auto& named : kNames) {
    if (named.name == name) return named.permission;
  }
  return std::nullopt;
}

std::span<const Permission> all_permissions() { return kAll; }

std::span<const Permission> permissions_of(Role role) {
  switch (role) {
    case Role::viewer:
      return kViewer;
    case Role::support:
      return kSupport;
    case Role::compliance:
      return kCompliance;
    case Role::admin:
      return kAdmin;
    case Role::superadmin:
      return kAll;
  }
  return {};
}

bool allows(Role role, Permission permission) {
  if (permission == Permission::none) return true;
  for (const Permission p : permissions_of(role)) {
    if (p == permission) return true;
  }
  return false;
}

}  // namespace pend::security
