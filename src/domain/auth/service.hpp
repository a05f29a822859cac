// The rules of signing up and signing in (docs/architecture/auth.md): one-time codes by SMS
// with their budgets and caps, wallet ownership by EIP-4361 and EIP-191, the lock-out, the
// suspicious-activity rules, and the session at the end. Takes the caller and typed inputs;
// refuses with DomainError; writes security_events and the security and business logs.
#pragma once

#include "cache/session_store.hpp"
#include "domain/auth/api.hpp"
#include "domain/auth/model.hpp"
#include "domain/auth/phone.hpp"
#include "domain/auth/repository.hpp"
#include "domain/common/deps.hpp"
#include "domain/users/repository.hpp"
#include "external/sms.hpp"
#include "util/work_pool.hpp"

#include <atomic>
#include <memory>

namespace pend::domain::auth {

struct AuthFigures {
  std::atomic<std::uint64_t> codes_sent{0};
  std::atomic<std::uint64_t> codes_refused{0};  // caps, cool-down, region
  std::atomic<std::uint64_t> sms_failures{0};
  std::atomic<std::uint64_t> comparisons{0};  // codes actually compared with a submission
  std::atomic<std::uint64_t> wrong_codes{0};
  std::atomic<std::uint64_t> lockouts{0};
  std::atomic<std::uint64_t> registrations{0};
  std::atomic<std::uint64_t> sign_ins{0};
  std::atomic<std::uint64_t> wallet_proofs_refused{0};
};

class AuthService {
 public:
  explicit AuthService(const Deps& deps);

  // POST /auth/otp: the same answer whether or not the phone has an account. external_time
  // gets the time spent on the SMS provider.
  boost::asio::awaitable<api::OtpChallenge> request_code(const Caller& caller,
                                                         const api::OtpRequest& request,
                                                         const db::Scope& scope,
                                                         std::chrono::nanoseconds* external_time);
  boost::asio::awaitable<api::WalletChallenge> challenge(std::string_view address,
                                                         const db::Scope& scope);
  boost::asio::awaitable<api::SignedIn> register_user(const Caller& caller,
                                                      const api::WalletProof& proof,
                                                      const db::Scope& scope);
  boost::asio::awaitable<api::SignedIn> sign_in(const Caller& caller,
                                                const api::LoginRequest& request,
                                                const db::Scope& scope);
  // PUT /me/address: a fresh code for the user's own phone and a signed challenge for the
  // new address.
  boost::asio::awaitable<users::api::Profile> change_address(const Caller& caller,
                                                             std::string_view user_id,
                                                             const api::WalletProof& proof,
                                                             const db::Scope& scope);

  const AuthFigures& figures() const { return figures_; }
  // The rate-limit key of a phone as typed: a prefix of its hash, once normalised (so every
  // spelling of one number is one key); empty when it is not a number.
  std::optional<std::string> phone_key(std::string_view phone) const;

 private:
  struct Verified {
    std::string otp_id;
    std::string phone_hash;
    std::optional<std::string> country_code;
    std::optional<users::User> user;
  };
  util::Microseconds now() const;
  std::string code_mac(std::string_view otp_id, std::string_view code) const;
  // Counts the submission, applies the phone's budget and the account's lock, compares in
  // constant time; a wrong code counts against the account. Throws invalid_code.
  boost::asio::awaitable<Verified> verify_code(const Caller& caller, std::string_view otp_id,
                                               std::string_view code, Purpose purpose,
                                               const db::Scope& scope);
  boost::asio::awaitable<void> wrong_code(const Caller& caller, const std::string& phone_hash,
                                          const std::optional<users::User>& user,
                                          const db::Scope& scope);
  // The message is EIP-4361, for this server (domain, URI, chain), live, signed by address
  // with a nonce this server issued for it. Throws wallet_proof_failed.
  boost::asio::awaitable<std::string> check_wallet_proof(const api::WalletProof& proof,
                                                         const db::Scope& scope);
  boost::asio::awaitable<api::SignedIn> open_session(const Caller& caller, const users::User& user);
  void note_country(const boost::asio::any_io_executor& loop, const Caller& caller,
                    const users::User& user);
  boost::asio::awaitable<void> check_country(boost::asio::any_io_executor loop, Caller caller,
                                             std::string user_id);
  // A security_events row (off the request path, on loop) and a security log entry.
  void record(const boost::asio::any_io_executor& loop, const Caller& caller,
              std::string event_type, std::string severity, std::string action,
              boost::json::object indicators, std::string_view user_id = {});

  const config::AuthSettings& settings_;
  const util::Clock& clock_;
  db::Database& database_;
  cache::SessionStore& sessions_;
  util::WorkPool& work_;
  PhoneNumbers phones_;
  AuthRepository codes_;
  users::UserRepository users_;
  std::unique_ptr<external::SmsSender> sms_;
  AuthFigures figures_;
};

}  // namespace pend::domain::auth
