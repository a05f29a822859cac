// The sign-up and sign-in bodies as the auth and admin routes read them: JSON decoded into
// each of their types (every problem collected, never an exception), a TOTP code checked
// (only six digits can ever match), and a phone number that decodes through libphonenumber. A
// number it accepts is E.164, its masked form hides all but the last three digits, and its hash is
// 64 hex digits.
#include "domain/admin/api.hpp"
#include "domain/auth/api.hpp"
#include "domain/auth/phone.hpp"
#include "http/api_error.hpp"
#include "http/json_mapping.hpp"
#include "http/query.hpp"
#include "security/totp.hpp"

#include <boost/json/parser.hpp>

#include <algorithm>

using namespace pend;
namespace api = domain::auth::api;

namespace {

template <typename T>
bool decodes(const boost::json::value& value, T& out) {
  http::Problems problems;
  http::decode(value, out, {}, problems);
  (void)problems.to_json();
  return problems.empty();
}

void check_phone(std::string_view text) {
  static const domain::auth::PhoneNumbers phones("GB");
  domain::auth::PhoneProblem problem{};
  std::string why;
  const auto phone = phones.parse(text, &problem, &why);
  if (!phone) {
    if (problem == domain::auth::PhoneProblem::none || why.empty()) __builtin_trap();
    return;
  }
  if (phone->e164.size() < 4 || phone->e164.front() != '+' ||
      phone->e164.find_first_not_of("+0123456789") != std::string::npos)
    __builtin_trap();
  // The masked form shows the calling code and at most the last three digits.
  const auto masked = phone->masked();
  const auto digits =
      std::count_if(masked.begin(), masked.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits > static_cast<long>(std::to_string(phone->country_code).size()) + 3) __builtin_trap();
  if (domain::auth::phone_hash("pepper", *phone).size() != 64) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text{reinterpret_cast<const char*>(data) + 1, size - 1};
  switch (data[0] % 4) {
    case 0:
      check_phone(text);
      return 0;
    case 1:
      try {
        (void)http::decode_query<api::ChallengeQuery>(text);
      } catch (const http::ApiError& error) {
        if (error.status() != 400 && error.status() != 422) __builtin_trap();
      }
      return 0;
    default:
      break;
  }
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::json::parser parser({}, options);
  boost::system::error_code ec;
  parser.write(text.data(), text.size(), ec);
  if (ec) return 0;
  const auto value = parser.release();
  api::OtpRequest otp;
  if (decodes(value, otp)) check_phone(otp.phone);
  api::WalletProof proof;
  (void)decodes(value, proof);
  api::LoginRequest login;
  (void)decodes(value, login);
  domain::admin::api::AdminLoginRequest admin_login;
  (void)decodes(value, admin_login);
  domain::admin::api::AdminTotpRequest admin_totp;
  if (decodes(value, admin_totp)) {
    const bool digits = admin_totp.code.size() == 6 &&
                        admin_totp.code.find_first_not_of("0123456789") == std::string::npos;
    if (!digits && !domain::admin::api::is_recovery_code(admin_totp.code)) __builtin_trap();
    const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
    const auto step = security::check_totp("12345678901234567890", admin_totp.code, now, {});
    if (step && !digits) __builtin_trap();
  }
  return 0;
}
