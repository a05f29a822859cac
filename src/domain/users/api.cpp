#include "domain/users/api.hpp"

#include "domain/common/validation.hpp"

namespace pend::domain::users::api {

Profile profile_of(const User& user) {
  return {.id = user.id,
          .address = user.address,
          .tier = user.tier,
          .status = user.status,
          .country_code = user.country_code,
          .email = user.email,
          .created_at = user.created_at,
          .last_login_at = user.last_login_at};
}

void ProfileUpdate::validate(http::Problems& problems) const {
  if (email) {
    check_length(problems, "email", *email, 3, 254);
    if (!problems.has("email")) check_email(problems, "email", *email);
  }
}

}  // namespace pend::domain::users::api
