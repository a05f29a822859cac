// The admin API's request and response types, named like their components in
// docs/api/openapi.yaml.
#pragma once

#include "domain/admin/model.hpp"
#include "http/problems.hpp"
#include "security/permissions.hpp"
#include "util/time.hpp"

#include <boost/describe/class.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pend::domain::admin::api {

struct AdminLoginRequest {
  static constexpr std::string_view kSchema = "AdminLoginRequest";
  std::string email;
  std::string password;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(AdminLoginRequest, (), (email, password))

// What an authenticator app needs: shown once, at the first sign-in.
struct TotpEnrolment {
  static constexpr std::string_view kSchema = "TotpEnrolment";
  std::string otpauth_uri;
  std::string secret;  // base32, for typing in by hand
  std::string qr_svg;  // the URI as a QR code
};
BOOST_DESCRIBE_STRUCT(TotpEnrolment, (), (otpauth_uri, secret, qr_svg))

struct AdminMfaChallenge {
  static constexpr std::string_view kSchema = "AdminMfaChallenge";
  std::string mfa_token;  // for POST /admin/auth/totp; shown once, stored hashed
  MfaStep mfa = MfaStep::totp;
  util::Microseconds expires_at{};
  std::optional<TotpEnrolment> enrolment;  // when mfa is enrol
};
BOOST_DESCRIBE_STRUCT(AdminMfaChallenge, (), (mfa_token, mfa, expires_at, enrolment))

struct AdminTotpRequest {
  static constexpr std::string_view kSchema = "AdminTotpRequest";
  std::string mfa_token;
  std::string code;  // 6 digits, or a recovery code (xxxxx-xxxxx) once enrolled
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(AdminTotpRequest, (), (mfa_token, code))

// The first sign-in of an admin created with a one-time password: their own, then the
// authenticator step.
struct AdminPasswordChange {
  static constexpr std::string_view kSchema = "AdminPasswordChange";
  std::string mfa_token;
  std::string new_password;  // 12-1024 characters, not the one-time one
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(AdminPasswordChange, (), (mfa_token, new_password))

struct AdminProfile {
  static constexpr std::string_view kSchema = "AdminProfile";
  std::string id;
  std::string email;
  std::string display_name;
  pend::security::Role role = pend::security::Role::viewer;
  std::vector<std::string> permissions;
  std::optional<util::Microseconds> last_login_at;
};
BOOST_DESCRIBE_STRUCT(AdminProfile, (), (id, email, display_name, role, permissions, last_login_at))

struct AdminSignedIn {
  static constexpr std::string_view kSchema = "AdminSignedIn";
  std::string token;  // the admin session's bearer token: shown once, stored nowhere
  util::Microseconds expires_at{};
  AdminProfile admin;
  // At enrolment only: ten one-time codes for when the authenticator is lost.
  std::optional<std::vector<std::string>> recovery_codes;
};
BOOST_DESCRIBE_STRUCT(AdminSignedIn, (), (token, expires_at, admin, recovery_codes))

AdminProfile profile_of(const Admin& admin);
// "abcde-fghij": what a recovery code looks like (lower case base32 letters and digits).
bool is_recovery_code(std::string_view code);

}  // namespace pend::domain::admin::api
