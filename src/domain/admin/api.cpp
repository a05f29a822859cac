#include "domain/admin/api.hpp"

#include "domain/common/validation.hpp"

namespace pend::domain::admin::api {

void AdminLoginRequest::validate(http::Problems& problems) const {
  check_length(problems, "email", email, 3, 255);
  check_length(problems, "password", password, 1, 1024);
}

void AdminPasswordChange::validate(http::Problems& problems) const {
  check_length(problems, "mfa_token", mfa_token, 43, 43);
  check_length(problems, "new_password", new_password, 12, 1024);
}

bool is_recovery_code(std::string_view code) {
  if (code.size() != 11 || code[5] != '-') return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i == 5) continue;
    const char c = code[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return false;
  }
  return true;
}

void AdminTotpRequest::validate(http::Problems& problems) const {
  check_length(problems, "mfa_token", mfa_token, 43, 43);
  const bool digits =
      code.size() == 6 && code.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits && !is_recovery_code(code)) {
    problems.add("code", "invalid_format",
                 "must be the 6 digits of the authenticator or a recovery code (xxxxx-xxxxx)");
  }
}

AdminProfile profile_of(const Admin& admin) {
  AdminProfile profile{.id = admin.id,
                       .email = admin.email,
                       .display_name = admin.display_name,
                       .role = admin.role,
                       .permissions = {},
                       .last_login_at = admin.last_login_at};
  for (const auto permission : pend::security::permissions_of(admin.role)) {
    profile.permissions.emplace_back(pend::security::to_string(permission));
  }
  return profile;
}

}  // namespace pend::domain::admin::api
