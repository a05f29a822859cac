// The users API's types (the signed-in user's own profile), named like their components in
// docs/api/openapi.yaml. Never the phone number or its hash.
#pragma once

#include "domain/users/model.hpp"
#include "http/problems.hpp"

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace pend::domain::users::api {

struct Profile {
  static constexpr std::string_view kSchema = "Profile";
  std::string id;
  std::string address;  // EIP-55
  int tier = 0;
  Status status = Status::active;
  std::optional<std::string> country_code;
  std::optional<std::string> email;
  util::Microseconds created_at{};
  std::optional<util::Microseconds> last_login_at;
};
BOOST_DESCRIBE_STRUCT(Profile, (),
                      (id, address, tier, status, country_code, email, created_at, last_login_at))

Profile profile_of(const User& user);

struct ProfileUpdate {
  static constexpr std::string_view kSchema = "ProfileUpdate";
  std::optional<std::string> email;  // null clears it
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(ProfileUpdate, (), (email))

}  // namespace pend::domain::users::api
