// The auth API's request and response types, named like their components in
// docs/api/openapi.yaml.
#pragma once

#include "domain/users/api.hpp"
#include "http/problems.hpp"
#include "util/time.hpp"

#include <boost/describe/class.hpp>

#include <optional>
#include <string>

namespace pend::domain::auth::api {

struct OtpRequest {
  static constexpr std::string_view kSchema = "OtpRequest";
  std::string phone;
  std::string purpose;  // register, login, change_address
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(OtpRequest, (), (phone, purpose))

struct OtpChallenge {
  static constexpr std::string_view kSchema = "OtpChallenge";
  std::string otp_id;
  util::Microseconds expires_at{};
  util::Microseconds resend_after{};
};
BOOST_DESCRIBE_STRUCT(OtpChallenge, (), (otp_id, expires_at, resend_after))

struct ChallengeQuery {
  static constexpr std::string_view kSchema = "ChallengeQuery";
  std::optional<std::string> address;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(ChallengeQuery, (), (address))

struct WalletChallenge {
  static constexpr std::string_view kSchema = "WalletChallenge";
  std::string message;  // EIP-4361, to be signed with personal_sign
  std::string nonce;
  util::Microseconds expires_at{};
};
BOOST_DESCRIBE_STRUCT(WalletChallenge, (), (message, nonce, expires_at))

// A code and a signed challenge: to register, and to move to a new wallet address.
struct WalletProof {
  static constexpr std::string_view kSchema = "WalletProof";
  std::string otp_id;
  std::string code;
  std::string address;
  std::string message;
  std::string signature;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(WalletProof, (), (otp_id, code, address, message, signature))

struct LoginRequest {
  static constexpr std::string_view kSchema = "LoginRequest";
  std::string otp_id;
  std::string code;
  void validate(http::Problems& problems) const;
};
BOOST_DESCRIBE_STRUCT(LoginRequest, (), (otp_id, code))

struct SignedIn {
  static constexpr std::string_view kSchema = "SignedIn";
  std::string token;  // the session's bearer token: shown once, stored nowhere
  util::Microseconds expires_at{};
  users::api::Profile user;
};
BOOST_DESCRIBE_STRUCT(SignedIn, (), (token, expires_at, user))

}  // namespace pend::domain::auth::api
