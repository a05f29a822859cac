// The admin feature's values: an admin's account as stored, and what a sign-in is waiting
// for between the password and the code.
#pragma once

#include "security/permissions.hpp"
#include "util/time.hpp"

#include <boost/describe/enum.hpp>

#include <optional>
#include <string>

namespace pend::domain::admin {

enum class Status : std::uint8_t { active, suspended, disabled };
BOOST_DESCRIBE_ENUM(Status, active, suspended, disabled)

struct Admin {
  std::string id;
  std::string email;
  std::string display_name;
  std::string password_hash;  // Argon2id string
  pend::security::Role role = pend::security::Role::viewer;
  Status status = Status::active;
  int failed_login_attempts = 0;
  std::optional<util::Microseconds> locked_until;
  bool password_must_change = false;
  int lockouts = 0;
  std::optional<std::string> totp_box;          // sealed secret, once enrolled
  std::optional<std::string> totp_pending_box;  // sealed secret shown, not yet confirmed
  std::optional<std::int64_t> totp_last_step;
  std::optional<util::Microseconds> last_login_at;
};

// The second step a password sign-in leads to.
// password_change: an admin created with a one-time password sets their own first.
enum class MfaStep : std::uint8_t { totp, enrol, password_change };
BOOST_DESCRIBE_ENUM(MfaStep, totp, enrol, password_change)

struct MfaTicket {
  std::string admin_id;
  MfaStep step = MfaStep::totp;
  int attempts = 0;  // this one included
};

}  // namespace pend::domain::admin
