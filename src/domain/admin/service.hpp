// Admin sign-in (docs/architecture/admin.md): a password (Argon2id, verified on the
// WorkPool), then a TOTP code (RFC 6238) or, once, an enrolment confirmed by a first code;
// recovery codes; the lock-out; an admin session with its own limits at the end. Takes the
// caller and typed inputs; refuses with DomainError; writes the security and business logs.
#pragma once

#include "cache/session_store.hpp"
#include "domain/admin/api.hpp"
#include "domain/admin/mfa_tickets.hpp"
#include "domain/admin/repository.hpp"
#include "domain/auth/model.hpp"
#include "domain/common/deps.hpp"
#include "security/secret_box.hpp"

#include <atomic>

namespace pend::domain::admin {

struct AdminFigures {
  std::atomic<std::uint64_t> password_failures{0};
  std::atomic<std::uint64_t> code_failures{0};
  std::atomic<std::uint64_t> lockouts{0};
  std::atomic<std::uint64_t> enrolments{0};
  std::atomic<std::uint64_t> sign_ins{0};
  std::atomic<std::uint64_t> recovery_codes_used{0};
};

class AdminAuthService {
 public:
  explicit AdminAuthService(const Deps& deps);

  // POST /admin/auth/login: the same refusal for an unknown email, a wrong password, a
  // disabled admin and a locked one.
  boost::asio::awaitable<api::AdminMfaChallenge> login(const auth::Caller& caller,
                                                       const api::AdminLoginRequest& request,
                                                       const db::Scope& scope);
  // POST /admin/auth/totp: the code of the ticket's step; the admin session.
  boost::asio::awaitable<api::AdminSignedIn> verify(const auth::Caller& caller,
                                                    const api::AdminTotpRequest& request,
                                                    const db::Scope& scope);
  // POST /admin/auth/password: the one-time password replaced; the authenticator step next.
  boost::asio::awaitable<api::AdminMfaChallenge> change_password(
      const auth::Caller& caller, const api::AdminPasswordChange& request, const db::Scope& scope);
  boost::asio::awaitable<api::AdminProfile> profile(std::string_view admin_id,
                                                    const db::Scope& scope);

  const AdminFigures& figures() const { return figures_; }

 private:
  util::Microseconds now() const;
  bool locked(const Admin& admin) const;
  std::string recovery_mac(std::string_view admin_id, std::string_view code) const;
  // A wrong password or code: counted to the lock-out, logged; throws the refusal.
  boost::asio::awaitable<void> failed(const auth::Caller& caller, const Admin& admin,
                                      std::string_view what, const db::Scope& scope);
  // The second step once enrolled: a TOTP code not used before, or an unused recovery code.
  boost::asio::awaitable<bool> check_code(const Admin& admin, std::string_view code,
                                          const db::Scope& scope);
  boost::asio::awaitable<std::optional<std::vector<std::string>>> confirm_enrolment(
      const Admin& admin, std::string_view code, const db::Scope& scope);
  // The audit row of a sign-in attempt on a known admin: allowed (with its session) or
  // refused (with why).
  boost::asio::awaitable<void> audit_sign_in(const auth::Caller& caller, const Admin& admin,
                                             std::string_view outcome, std::string_view detail,
                                             std::string_view session_id, const db::Scope& scope);
  // An mfa_token's ticket (an attempt counted) and its admin, still active and not locked;
  // refused when the ticket is not of the step asked for (password_step or a code's).
  struct Redeemed {
    MfaTicket ticket;
    Admin admin;
  };
  boost::asio::awaitable<Redeemed> redeem(std::string_view token, bool password_step,
                                          const db::Scope& scope);
  // The authenticator step of a signed-in password: totp, or enrol with a new secret.
  boost::asio::awaitable<api::AdminMfaChallenge> second_step(const Admin& admin,
                                                             const db::Scope& scope);
  void record(const boost::asio::any_io_executor& loop, const auth::Caller& caller,
              std::string event_type, std::string severity, std::string action,
              boost::json::object indicators);

  const config::AdminSettings& settings_;
  const util::Clock& clock_;
  db::Database& database_;
  cache::SessionStore& sessions_;
  util::WorkPool& work_;
  AdminRepository admins_;
  MfaTickets tickets_;
  pend::security::SecretBox box_;
  std::string recovery_key_;
  AdminFigures figures_;
};

}  // namespace pend::domain::admin
