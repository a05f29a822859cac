#include "domain/admin/service.hpp"

#include "domain/audit/repository.hpp"
#include "domain/auth/caller_event.hpp"
#include "domain/common/errors.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "security/mac.hpp"
#include "security/password.hpp"
#include "security/random.hpp"
#include "security/totp.hpp"
#include "util/qr_svg.hpp"

#include <boost/asio/this_coro.hpp>

namespace pend::domain::admin {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kRecoveryCodes = 10;
constexpr std::string_view kRecoveryAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

DomainError refused() {
  // The one answer for an unknown email, a wrong password, an account that is disabled or
  // locked: a caller cannot tell them apart.
  return DomainError::unauthenticated(
      "invalid_credentials", "the email or password is wrong, or the account cannot sign in now");
}

std::string_view failure_detail(std::string_view what) {
  return what == "password" ? "wrong_password" : "wrong_code";
}

DomainError wrong_code() {
  return DomainError::unauthenticated("invalid_code",
                                      "the code is wrong or was used already; try the next one");
}

std::string recovery_key_of(std::string_view key) {
  // A key of its own for recovery codes, derived from admin.totp_key.
  const auto mac = pend::security::hmac_sha256(key, "pend admin recovery codes");
  return {reinterpret_cast<const char*>(mac.data()), mac.size()};
}

}  // namespace

AdminAuthService::AdminAuthService(const Deps& deps)
    : settings_(deps.settings.admin),
      clock_(deps.clock),
      database_(deps.database),
      sessions_(deps.sessions),
      work_(deps.work),
      admins_(deps.database),
      tickets_(deps.redis),
      box_(pend::security::key_from_hex(deps.settings.admin.key_hex()).value()),
      recovery_key_(
          recovery_key_of(pend::security::key_from_hex(deps.settings.admin.key_hex()).value())) {}

util::Microseconds AdminAuthService::now() const {
  return std::chrono::floor<std::chrono::microseconds>(clock_.now());
}

bool AdminAuthService::locked(const Admin& admin) const {
  return admin.locked_until && *admin.locked_until > now();
}

std::string AdminAuthService::recovery_mac(std::string_view admin_id, std::string_view code) const {
  std::string message{admin_id};
  message += ':';
  message += code;
  const auto mac = pend::security::hmac_sha256(recovery_key_, message);
  return {reinterpret_cast<const char*>(mac.data()), mac.size()};
}

void AdminAuthService::record(const asio::any_io_executor& loop, const auth::Caller& caller,
                              std::string event_type, std::string severity, std::string action,
                              boost::json::object indicators) {
  auth::record_caller_event(loop, database_, caller,
                            {.event_type = std::move(event_type),
                             .severity = std::move(severity),
                             .action = std::move(action),
                             .indicators = std::move(indicators),
                             .user_id = {},
                             .at = now()});
}

asio::awaitable<void> AdminAuthService::audit_sign_in(const auth::Caller& caller,
                                                      const Admin& admin, std::string_view outcome,
                                                      std::string_view detail,
                                                      std::string_view session_id,
                                                      const db::Scope& scope) {
  audit::AuditRecord record{.admin_id = admin.id,
                            .action = "admin.sign_in",
                            .resource_type = "admin",
                            .resource_id = admin.id,
                            .old_values = nullptr,
                            .new_values = {{"result", detail}},
                            .ip_address = caller.ip,
                            .user_agent = caller.user_agent,
                            .session_id = std::nullopt,
                            .justification = std::nullopt,
                            .outcome = std::string{outcome},
                            .at = now()};
  if (!session_id.empty()) record.session_id = std::string{session_id};
  co_await audit::append(database_, record, scope);
}

asio::awaitable<void> AdminAuthService::failed(const auth::Caller& caller, const Admin& admin,
                                               std::string_view what, const db::Scope& scope) {
  (what == "password" ? figures_.password_failures : figures_.code_failures)
      .fetch_add(1, std::memory_order_relaxed);
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.admin_id = admin.id;
  logging::security("ADMIN_SIGN_IN_FAILED", "an admin sign-in failed: wrong " + std::string{what},
                    entry);
  co_await audit_sign_in(caller, admin, "refused", failure_detail(what), {}, scope);
  const auto failure =
      co_await admins_.record_failure(admin.id, static_cast<int>(settings_.lockout_failures), now(),
                                      settings_.lockout, settings_.lockout_max, scope);
  const auto loop = co_await asio::this_coro::executor;
  record(loop, caller, "admin_failed_login", failure.locked ? "high" : "medium", "",
         {{"admin_id", admin.id}, {"step", what}, {"consecutive_failures", failure.consecutive}});
  if (failure.locked) {
    figures_.lockouts.fetch_add(1, std::memory_order_relaxed);
    record(loop, caller, "admin_account_locked", "high", "blocked",
           {{"admin_id", admin.id},
            {"rule", "consecutive_failures"},
            {"failures", settings_.lockout_failures}});
  }
}

asio::awaitable<api::AdminMfaChallenge> AdminAuthService::login(
    const auth::Caller& caller, const api::AdminLoginRequest& request, const db::Scope& scope) {
  const auto admin = co_await admins_.by_email(request.email, scope);
  // Argon2id on the WorkPool, also for an unknown email (against a decoy hash): the time
  // taken does not say whether the account exists.
  auto check = [hash = admin ? admin->password_hash : pend::security::decoy_password_hash(),
                password = request.password] {
    return pend::security::verify_password(hash, password);
  };
  const bool right = co_await work_.run(std::move(check));
  if (!admin) {
    figures_.password_failures.fetch_add(1, std::memory_order_relaxed);
    logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
    logging::security("ADMIN_SIGN_IN_FAILED", "an admin sign-in failed: unknown email", entry);
    throw refused();
  }
  if (admin->status != Status::active || locked(*admin)) {
    logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
    entry.admin_id = admin->id;
    logging::security("ADMIN_SIGN_IN_REFUSED",
                      locked(*admin) ? "an admin sign-in refused: the account is locked"
                                     : "an admin sign-in refused: the account is not active",
                      entry);
    co_await audit_sign_in(caller, *admin, "refused",
                           locked(*admin) ? "account_locked" : "account_not_active", {}, scope);
    throw refused();
  }
  if (!right) {
    co_await failed(caller, *admin, "password", scope);
    throw refused();
  }

  if (admin->password_must_change) {
    api::AdminMfaChallenge challenge;
    challenge.mfa = MfaStep::password_change;
    challenge.mfa_token =
        co_await tickets_.issue(admin->id, challenge.mfa, settings_.mfa_token_ttl);
    challenge.expires_at = now() + settings_.mfa_token_ttl;
    co_return challenge;
  }
  co_return co_await second_step(*admin, scope);
}

asio::awaitable<AdminAuthService::Redeemed> AdminAuthService::redeem(std::string_view token,
                                                                     bool password_step,
                                                                     const db::Scope& scope) {
  const auto ticket = co_await tickets_.attempt(token, static_cast<int>(settings_.mfa_attempts));
  if (!ticket || (ticket->step == MfaStep::password_change) != password_step) {
    throw DomainError::unauthenticated(
        "invalid_mfa_token",
        "this sign-in expired or ran out of attempts: sign in with the password again");
  }
  auto admin = co_await admins_.by_id(ticket->admin_id, scope);
  if (!admin || admin->status != Status::active || locked(*admin)) {
    co_await tickets_.remove(token);
    throw refused();
  }
  co_return Redeemed{*ticket, std::move(*admin)};
}

asio::awaitable<api::AdminMfaChallenge> AdminAuthService::change_password(
    const auth::Caller& caller, const api::AdminPasswordChange& request, const db::Scope& scope) {
  auto redeemed = co_await redeem(request.mfa_token, true, scope);
  auto* admin = &redeemed.admin;
  auto same = [hash = admin->password_hash, password = request.new_password] {
    return pend::security::verify_password(hash, password);
  };
  const bool unchanged = co_await work_.run(std::move(same));
  if (unchanged) {
    throw DomainError::invalid("password_unchanged",
                               "choose a password of your own, not the one-time one");
  }
  auto hash_it = [password = request.new_password] {
    return pend::security::hash_password(password);
  };
  const std::string hash = co_await work_.run(std::move(hash_it));
  co_await tickets_.remove(request.mfa_token);
  const bool set = co_await admins_.set_password(admin->id, hash, scope);
  if (!set) throw refused();
  admin->password_hash = hash;
  admin->password_must_change = false;
  co_await audit_sign_in(caller, *admin, "allowed", "password_changed", {}, scope);
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.admin_id = admin->id;
  logging::security("ADMIN_PASSWORD_CHANGED", "an admin replaced their one-time password", entry);
  co_return co_await second_step(*admin, scope);
}

asio::awaitable<api::AdminMfaChallenge> AdminAuthService::second_step(const Admin& admin_row,
                                                                      const db::Scope& scope) {
  const Admin* admin = &admin_row;
  api::AdminMfaChallenge challenge;
  challenge.mfa = admin->totp_box ? MfaStep::totp : MfaStep::enrol;
  if (challenge.mfa == MfaStep::enrol) {
    // A new secret each time until one is confirmed; only its sealed box is stored.
    const std::string secret = pend::security::new_totp_secret();
    co_await admins_.set_pending_secret(admin->id, box_.seal(secret, admin->id), scope);
    const std::string uri = pend::security::totp_uri(settings_.totp_issuer, admin->email, secret);
    challenge.enrolment = api::TotpEnrolment{
        .otpauth_uri = uri, .secret = pend::security::base32(secret), .qr_svg = util::qr_svg(uri)};
  }
  challenge.mfa_token = co_await tickets_.issue(admin->id, challenge.mfa, settings_.mfa_token_ttl);
  challenge.expires_at = now() + settings_.mfa_token_ttl;
  co_return challenge;
}

asio::awaitable<bool> AdminAuthService::check_code(const Admin& admin, std::string_view code,
                                                   const db::Scope& scope) {
  if (!admin.totp_box) co_return false;
  const auto secret = box_.open(*admin.totp_box, admin.id);
  if (!secret) {
    logging::error("ADMIN", "TOTP_SECRET_UNREADABLE",
                   "an admin's TOTP secret does not open with admin.totp_key (was the key "
                   "changed?): the admin must be enrolled again",
                   {{"admin_id", admin.id}});
    co_return false;
  }
  if (api::is_recovery_code(code)) {
    const bool used =
        co_await admins_.use_recovery_code(admin.id, recovery_mac(admin.id, code), now(), scope);
    if (used) figures_.recovery_codes_used.fetch_add(1, std::memory_order_relaxed);
    co_return used;
  }
  const auto step = pend::security::check_totp(*secret, code, clock_.now(), admin.totp_last_step);
  if (!step) co_return false;
  // Once per code: the step is recorded only if it is later than the last one, so the same
  // code twice (or two requests racing with it) signs in once.
  co_return co_await admins_.use_step(admin.id, *step, scope);
}

asio::awaitable<std::optional<std::vector<std::string>>> AdminAuthService::confirm_enrolment(
    const Admin& admin, std::string_view code, const db::Scope& scope) {
  if (!admin.totp_pending_box || api::is_recovery_code(code)) co_return std::nullopt;
  const auto secret = box_.open(*admin.totp_pending_box, admin.id);
  if (!secret) co_return std::nullopt;
  const auto step = pend::security::check_totp(*secret, code, clock_.now(), std::nullopt);
  if (!step) co_return std::nullopt;
  std::vector<std::string> codes;
  std::vector<std::string> macs;
  for (std::size_t i = 0; i < kRecoveryCodes; ++i) {
    std::string recovery = pend::security::random_string(kRecoveryAlphabet, 10);
    recovery.insert(5, 1, '-');
    macs.push_back(recovery_mac(admin.id, recovery));
    codes.push_back(std::move(recovery));
  }
  db::Lease connection = co_await database_.acquire(scope);
  db::Transaction tx(*connection, scope);
  const bool confirmed =
      co_await admins_.confirm_enrolment(tx, admin.id, *admin.totp_pending_box, *step, now());
  if (!confirmed) co_return std::nullopt;  // a newer enrolment replaced it: rolled back
  co_await admins_.replace_recovery_codes(tx, admin.id, macs, now());
  co_await tx.commit();
  figures_.enrolments.fetch_add(1, std::memory_order_relaxed);
  co_return codes;
}

asio::awaitable<api::AdminSignedIn> AdminAuthService::verify(const auth::Caller& caller,
                                                             const api::AdminTotpRequest& request,
                                                             const db::Scope& scope) {
  auto redeemed = co_await redeem(request.mfa_token, false, scope);
  const auto* ticket = &redeemed.ticket;
  auto* admin = &redeemed.admin;
  std::optional<std::vector<std::string>> recovery_codes;
  bool right = false;
  if (ticket->step == MfaStep::enrol) {
    recovery_codes = co_await confirm_enrolment(*admin, request.code, scope);
    right = recovery_codes.has_value();
  } else {
    right = co_await check_code(*admin, request.code, scope);
  }
  if (!right) {
    co_await failed(caller, *admin, "code", scope);
    throw wrong_code();
  }
  co_await tickets_.remove(request.mfa_token);
  const auto at = now();
  co_await admins_.record_sign_in(admin->id, at, scope);
  admin->last_login_at = at;
  const auto created = co_await sessions_.create(http::Principal::Kind::admin, admin->id, caller.ip,
                                                 caller.user_agent);
  co_await audit_sign_in(caller, *admin, "allowed",
                         ticket->step == MfaStep::enrol ? "enrolled" : "signed_in",
                         created.session.id, scope);
  figures_.sign_ins.fetch_add(1, std::memory_order_relaxed);
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.admin_id = admin->id;
  logging::business(ticket->step == MfaStep::enrol ? "ADMIN_ENROLLED" : "ADMIN_SIGNED_IN",
                    ticket->step == MfaStep::enrol
                        ? "an admin enrolled an authenticator and signed in"
                        : "an admin signed in",
                    entry);
  co_return api::AdminSignedIn{
      .token = created.token,
      .expires_at = util::Microseconds{std::chrono::milliseconds{created.session.expires_at_ms}},
      .admin = api::profile_of(*admin),
      .recovery_codes = std::move(recovery_codes)};
}

asio::awaitable<api::AdminProfile> AdminAuthService::profile(std::string_view admin_id,
                                                             const db::Scope& scope) {
  const auto admin = co_await admins_.by_id(admin_id, scope);
  if (!admin) throw DomainError::not_found("no such admin");
  co_return api::profile_of(*admin);
}

}  // namespace pend::domain::admin
