// The role table: least privilege, each role above holding what the one below holds, and
// only superadmins managing admins.
#include "security/permissions.hpp"
#include "util/enum_name.hpp"

#include <gtest/gtest.h>

namespace pend::security {
namespace {

TEST(PermissionsTest, RolesAreOrderedAndLeastPrivileged) {
  const Role order[] = {Role::viewer, Role::support, Role::compliance, Role::admin,
                        Role::superadmin};
  for (std::size_t i = 1; i < std::size(order); ++i) {
    for (const Permission p : permissions_of(order[i - 1])) {
      EXPECT_TRUE(allows(order[i], p)) << util::enum_name(order[i]) << " lacks " << to_string(p);
    }
  }
  EXPECT_FALSE(allows(Role::viewer, Permission::users_write));
  EXPECT_FALSE(allows(Role::support, Permission::kyc_review));
  EXPECT_FALSE(allows(Role::admin, Permission::admins_manage));
  EXPECT_TRUE(allows(Role::superadmin, Permission::admins_manage));
  EXPECT_TRUE(allows(Role::viewer, Permission::none));
}

TEST(PermissionsTest, NamesRoundTrip) {
  for (const Permission p : all_permissions()) EXPECT_EQ(parse_permission(to_string(p)), p);
  EXPECT_EQ(to_string(Permission::kyc_review), "kyc.review");
  EXPECT_FALSE(parse_permission("kyc.approve"));
}

}  // namespace
}  // namespace pend::security
