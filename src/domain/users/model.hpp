// An app user as the users table holds them (migrations/001, 008). Never the phone number:
// only its HMAC, which no API answer carries.
#pragma once

#include "util/time.hpp"

#include <boost/describe/enum.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pend::domain::users {

enum class Status : std::uint8_t { active, suspended, closed };
BOOST_DESCRIBE_ENUM(Status, active, suspended, closed)

struct User {
  std::string id;
  std::string phone_hash;
  std::string address;  // EIP-55
  int tier = 0;
  Status status = Status::active;
  std::optional<std::string> country_code;
  std::optional<std::string> email;
  util::Microseconds created_at{};
  std::optional<util::Microseconds> last_login_at;
  int login_count = 0;
  int failed_login_attempts = 0;
  std::optional<util::Microseconds> locked_until;
  int lockouts = 0;
};

}  // namespace pend::domain::users
