#include "domain/auth/api.hpp"

#include "domain/auth/model.hpp"
#include "domain/common/validation.hpp"
#include "util/uuid.hpp"

namespace pend::domain::auth::api {

namespace {

void check_code(http::Problems& problems, std::string_view code) {
  const bool digits =
      code.size() == 6 && code.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits) problems.add("code", "invalid_format", "must be the 6 digits of the code");
}

void check_otp_id(http::Problems& problems, std::string_view id) {
  if (!util::is_uuid(id)) problems.add("otp_id", "invalid_format", "must be the otp_id of a code");
}

}  // namespace

void OtpRequest::validate(http::Problems& problems) const {
  check_length(problems, "phone", phone, 3, 64);
  if (!parse_purpose(purpose)) {
    problems.add("purpose", "invalid_value", "must be one of: register, login, change_address");
  }
}

void ChallengeQuery::validate(http::Problems& problems) const {
  if (!address) problems.add("address", "required", "is required");
}

void WalletProof::validate(http::Problems& problems) const {
  check_otp_id(problems, otp_id);
  check_code(problems, code);
  check_length(problems, "address", address, 42, 42);
  check_length(problems, "message", message, 1, 8192);
  check_length(problems, "signature", signature, 132, 132);
}

void LoginRequest::validate(http::Problems& problems) const {
  check_otp_id(problems, otp_id);
  check_code(problems, code);
}

}  // namespace pend::domain::auth::api
