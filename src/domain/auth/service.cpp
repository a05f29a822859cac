#include "domain/auth/service.hpp"

#include "domain/auth/caller_event.hpp"

#include "db/error.hpp"
#include "domain/common/errors.hpp"
#include "logging/crash_handler.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "security/evm_address.hpp"
#include "security/mac.hpp"
#include "security/random.hpp"
#include "security/signature.hpp"
#include "security/siwe.hpp"
#include "util/hex.hpp"
#include "util/uuid.hpp"

#include <sodium.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

namespace pend::domain::auth {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kCodeDigits = 6;
// A message may be signed a little before this server's clock says it was issued.
constexpr auto kClockSkew = 60s;

DomainError invalid_code() {
  // The one answer for a wrong, expired, used or exhausted code, an unknown account and a
  // locked one: a caller cannot tell them apart.
  return DomainError::unauthenticated("invalid_code", "the code is wrong, expired or already used");
}

DomainError proof_failed(std::string why) {
  return DomainError::unauthenticated("wallet_proof_failed",
                                      "the wallet's signed message is not accepted: " + why);
}

DomainError rate_limited(std::string code, std::string message, std::chrono::seconds retry) {
  DomainError error{DomainError::Kind::rate_limited, std::move(code), std::move(message)};
  error.with_retry_after(static_cast<unsigned>(std::max<std::int64_t>(1, retry.count())));
  return error;
}

std::string scheme_of(std::string_view uri) {
  const std::string copy{uri};
  const auto parsed = boost::urls::parse_uri(copy);
  return parsed ? std::string{parsed->scheme()} : std::string{};
}

// Severity of a wrong code: by how close the account is to its lock-out.
std::string failure_severity(int failures, unsigned lockout_failures) {
  if (failures * 2 < static_cast<int>(lockout_failures)) return "low";
  return "medium";
}

}  // namespace

std::string_view to_string(Purpose purpose) {
  switch (purpose) {
    case Purpose::register_account:
      return "register";
    case Purpose::login:
      return "login";
    case Purpose::change_address:
      return "change_address";
  }
  return "login";
}

std::optional<Purpose> parse_purpose(std::string_view text) {
  if (text == "register") return Purpose::register_account;
  if (text == "login") return Purpose::login;
  if (text == "change_address") return Purpose::change_address;
  return std::nullopt;
}

AuthService::AuthService(const Deps& deps)
    : settings_(deps.settings.auth),
      clock_(deps.clock),
      database_(deps.database),
      sessions_(deps.sessions),
      work_(deps.work),
      phones_(deps.settings.auth.default_region),
      codes_(deps.database),
      users_(deps.database),
      sms_(external::make_sms_sender(deps.settings.auth, deps.http_client)) {
  if (settings_.phone_pepper.empty()) {
    logging::warn("AUTH", "DEVELOPMENT_PEPPER",
                  "auth.phone_pepper is not set: phone hashes use the development pepper; never "
                  "use this with real numbers");
  }
}

util::Microseconds AuthService::now() const {
  return std::chrono::floor<std::chrono::microseconds>(clock_.now());
}

std::string AuthService::code_mac(std::string_view otp_id, std::string_view code) const {
  std::string message = "pend-otp:";
  message += otp_id;
  message += ':';
  message += code;
  return util::to_hex(pend::security::hmac_sha256(settings_.pepper(), message));
}

void AuthService::record(const asio::any_io_executor& loop, const Caller& caller,
                         std::string event_type, std::string severity, std::string action,
                         boost::json::object indicators, std::string_view user_id) {
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.user_id = user_id;
  logging::security(event_type, "security event: " + event_type, entry);
  record_caller_event(loop, database_, caller,
                      {.event_type = std::move(event_type),
                       .severity = std::move(severity),
                       .action = std::move(action),
                       .indicators = std::move(indicators),
                       .user_id = user_id,
                       .at = now()});
}

std::optional<std::string> AuthService::phone_key(std::string_view text) const {
  const auto phone = phones_.parse(text);
  if (!phone) return std::nullopt;
  return phone_hash(settings_.pepper(), *phone).substr(0, 32);
}

asio::awaitable<api::OtpChallenge> AuthService::request_code(
    const Caller& caller, const api::OtpRequest& request, const db::Scope& scope,
    std::chrono::nanoseconds* external_time) {
  std::string why;
  const auto phone = phones_.parse(request.phone, nullptr, &why);
  if (!phone) {
    throw DomainError::invalid(
        "invalid_phone", "phone " + why,
        {boost::json::object{{"field", "phone"}, {"code", "invalid_phone"}, {"message", why}}});
  }
  const Purpose purpose = *parse_purpose(request.purpose);  // validated by the body type
  if (!settings_.sms_countries.empty() &&
      std::find(settings_.sms_countries.begin(), settings_.sms_countries.end(), phone->region) ==
          settings_.sms_countries.end()) {
    figures_.codes_refused.fetch_add(1, std::memory_order_relaxed);
    throw DomainError::invalid(
        "phone_region_not_served", "codes are not sent to numbers of this country",
        {boost::json::object{{"field", "phone"}, {"code", "phone_region_not_served"}}});
  }
  const std::string hash = phone_hash(settings_.pepper(), *phone);
  const auto loop = co_await asio::this_coro::executor;
  const auto at = now();
  std::string code = pend::security::random_digits(kCodeDigits);
  api::OtpChallenge challenge{.otp_id = util::random_uuid(),
                              .expires_at = at + settings_.code_ttl,
                              .resend_after = at + settings_.resend_after};
  {
    db::Lease conn = co_await database_.acquire(scope);
    db::Transaction tx(*conn, scope);
    const auto counts = co_await codes_.lock_and_count(tx, hash, purpose, caller.ip, at);
    if (counts.last_for_purpose && *counts.last_for_purpose + settings_.resend_after > at) {
      figures_.codes_refused.fetch_add(1, std::memory_order_relaxed);
      const auto wait = std::chrono::ceil<std::chrono::seconds>(*counts.last_for_purpose +
                                                                settings_.resend_after - at);
      throw rate_limited("code_cooldown", "a code was sent moments ago; ask again shortly", wait);
    }
    if (counts.phone_hour >= settings_.codes_per_phone_hour ||
        counts.phone_day >= settings_.codes_per_phone_day) {
      figures_.codes_refused.fetch_add(1, std::memory_order_relaxed);
      record(loop, caller, "otp_limit_exceeded", "medium", "rate_limited",
             {{"phone_hash", hash.substr(0, 32)},
              {"codes_last_hour", counts.phone_hour},
              {"codes_last_day", counts.phone_day}});
      throw rate_limited("too_many_codes", "too many codes for this number; try again later",
                         counts.phone_hour >= settings_.codes_per_phone_hour ? 1h : 24h);
    }
    if (counts.ip_hour >= settings_.codes_per_ip_hour) {
      figures_.codes_refused.fetch_add(1, std::memory_order_relaxed);
      throw rate_limited("too_many_codes", "too many codes from this address; try again later", 1h);
    }
    // Many phones from one address: someone is cycling through numbers (SMS pumping or
    // account discovery). Flagged once, when the count reaches the threshold.
    if (counts.ip_distinct_phones + 1 == settings_.suspicious_phones_per_ip_hour) {
      record(loop, caller, "suspicious_activity", "high", "flagged",
             {{"rule", "many_phones_from_one_address"},
              {"distinct_phones_last_hour", counts.ip_distinct_phones + 1}});
    }
    // Named, not a braced temporary in the co_await: GCC 12 destroys those twice when the
    // awaited call throws (docs/architecture/database.md).
    const NewCode row{.id = challenge.otp_id,
                      .phone_hash = hash,
                      .purpose = purpose,
                      .code_mac = code_mac(challenge.otp_id, code),
                      .created_at = at,
                      .expires_at = challenge.expires_at,
                      .request_ip = caller.ip,
                      .country_code = phone->region};
    co_await codes_.insert_code(tx, row);
    co_await tx.commit();
  }
  // Sent whether or not the phone has an account (the answer must not say), off the loop.
  external::SmsMessage message{.to = phone->e164,
                               .masked_to = phone->masked(),
                               .body = "Your Pend code is " + code + ". It expires in " +
                                       std::to_string(settings_.code_ttl.count() / 60) +
                                       " minutes. Never share it."};
  const external::SmsSender& sms = *sms_;
  auto send = [&sms, message] { return sms.send(message); };
  const auto result = co_await work_.run(std::move(send));
  sodium_memzero(code.data(), code.size());
  if (external_time != nullptr) *external_time += result.elapsed;
  if (!result.sent) {
    figures_.sms_failures.fetch_add(1, std::memory_order_relaxed);
    throw DomainError{DomainError::Kind::unavailable, "sms_unavailable",
                      "the code could not be sent right now; try again shortly"}
        .with_retry_after(static_cast<unsigned>(settings_.resend_after.count()));
  }
  figures_.codes_sent.fetch_add(1, std::memory_order_relaxed);
  co_return challenge;
}

asio::awaitable<api::WalletChallenge> AuthService::challenge(std::string_view address_text,
                                                             const db::Scope& scope) {
  const auto address = pend::security::parse_address(address_text);
  if (!address) {
    throw DomainError::invalid("invalid_address",
                               "address must be 0x and 40 hex digits, with a "
                               "correct EIP-55 checksum when in mixed case");
  }
  const auto issued = std::chrono::floor<std::chrono::seconds>(now());
  pend::security::SiweMessage message;
  message.scheme = scheme_of(settings_.siwe_uri) == "https" ? "" : scheme_of(settings_.siwe_uri);
  message.domain = settings_.siwe_domain;
  message.address = address->checksummed();
  if (!settings_.siwe_statement.empty()) message.statement = settings_.siwe_statement;
  message.uri = settings_.siwe_uri;
  message.chain_id = settings_.chain_id;
  message.nonce = pend::security::random_alphanumeric(17);
  message.issued_at =
      util::format_rfc3339(util::Microseconds{issued}, util::TimePrecision::seconds);
  const auto expires = issued + settings_.challenge_ttl;
  message.expiration_time =
      util::format_rfc3339(util::Microseconds{expires}, util::TimePrecision::seconds);
  co_await codes_.insert_nonce(message.nonce, message.address, issued, expires, scope);
  co_return api::WalletChallenge{.message = pend::security::format_siwe(message),
                                 .nonce = message.nonce,
                                 .expires_at = expires};
}

asio::awaitable<std::string> AuthService::check_wallet_proof(const api::WalletProof& proof,
                                                             const db::Scope& scope) {
  const auto fail = [this](std::string why) {
    figures_.wallet_proofs_refused.fetch_add(1, std::memory_order_relaxed);
    return proof_failed(std::move(why));
  };
  pend::security::AddressProblem problem{};
  const auto address = pend::security::parse_address(proof.address, &problem);
  if (!address) {
    throw DomainError::invalid(
        problem == pend::security::AddressProblem::checksum ? "bad_checksum" : "invalid_address",
        problem == pend::security::AddressProblem::checksum
            ? "address is in mixed case but its EIP-55 checksum is wrong"
            : "address must be 0x and 40 hex digits",
        {boost::json::object{{"field", "address"}, {"code", "invalid_address"}}});
  }
  std::string why;
  const auto message = pend::security::parse_siwe(proof.message, &why);
  if (!message) throw fail("the message is not EIP-4361: " + why);
  const std::string expected_scheme = scheme_of(settings_.siwe_uri);
  if (message->domain != settings_.siwe_domain ||
      (!message->scheme.empty() && message->scheme != expected_scheme)) {
    throw fail("it is for another domain");
  }
  if (message->uri != settings_.siwe_uri) throw fail("it is for another URI");
  if (message->chain_id != settings_.chain_id) throw fail("it is for another chain");
  if (pend::security::parse_address(message->address) != address) {
    throw fail("it names another address");
  }
  const auto at = now();
  const auto issued = pend::security::parse_siwe_time(message->issued_at);
  if (!issued || *issued > at + kClockSkew) throw fail("it is issued in the future");
  if (message->expiration_time &&
      *pend::security::parse_siwe_time(*message->expiration_time) <= at) {
    throw fail("it has expired");
  }
  if (message->not_before && *pend::security::parse_siwe_time(*message->not_before) > at) {
    throw fail("it is not valid yet");
  }
  const auto nonce = co_await codes_.find_nonce(message->nonce, scope);
  if (!nonce || nonce->address != address->checksummed()) {
    throw fail("its nonce was not issued by this server for this address");
  }
  if (nonce->used_at) throw fail("its nonce was used already");
  if (nonce->expires_at <= at) throw fail("its nonce has expired");
  const auto signer = pend::security::recover_personal_sign(proof.message, proof.signature);
  if (!signer) throw fail("the signature is malformed");
  if (*signer != *address) throw fail("it is not signed by the address's key");
  co_return message->nonce;
}

asio::awaitable<AuthService::Verified> AuthService::verify_code(const Caller& caller,
                                                                std::string_view otp_id,
                                                                std::string_view code,
                                                                Purpose purpose,
                                                                const db::Scope& scope) {
  const auto at = now();
  // Counted first, atomically: however many submissions race, at most code_max_attempts
  // of them get this far for one code.
  auto counted = co_await codes_.count_attempt(
      otp_id, at, static_cast<int>(settings_.code_max_attempts), scope);
  if (!counted) throw invalid_code();
  auto user = co_await users_.by_phone_hash(counted->phone_hash, scope);
  // A new code buys no new guesses: an account's failures count across its codes (to the
  // lock-out), and so do a phone's without an account (to failures_per_phone_hour).
  bool over_budget = false;
  if (!user) {
    const auto failures =
        co_await codes_.phone_failures(counted->phone_hash, at - std::chrono::hours(1), scope);
    // This submission is counted in failures already: the ones before it reached the budget.
    over_budget = failures - 1 >= static_cast<std::int64_t>(settings_.failures_per_phone_hour);
  }
  const bool locked = user && user->locked_until && *user->locked_until > at;
  bool matches = false;
  if (!over_budget && !locked && counted->purpose == purpose) {
    figures_.comparisons.fetch_add(1, std::memory_order_relaxed);
    const std::string offered = code_mac(otp_id, code);
    matches = pend::security::equal_constant_time(offered, counted->code_mac);
  }
  if (!matches) {
    if (!locked) co_await wrong_code(caller, counted->phone_hash, user, scope);
    throw invalid_code();
  }
  co_return Verified{.otp_id = std::string{otp_id},
                     .phone_hash = counted->phone_hash,
                     .country_code = counted->country_code,
                     .user = std::move(user)};
}

asio::awaitable<void> AuthService::wrong_code(const Caller& caller, const std::string& phone_hash,
                                              const std::optional<users::User>& user,
                                              const db::Scope& scope) {
  figures_.wrong_codes.fetch_add(1, std::memory_order_relaxed);
  const auto loop = co_await asio::this_coro::executor;
  const auto at = now();
  std::string user_id;
  int failures = 1;
  if (user) {
    user_id = user->id;
    const auto outcome =
        co_await users_.record_failure(user->id, static_cast<int>(settings_.lockout_failures), at,
                                       settings_.lockout, settings_.lockout_max, scope);
    failures =
        outcome.locked ? static_cast<int>(settings_.lockout_failures) : outcome.failed_attempts;
    if (outcome.locked) {
      figures_.lockouts.fetch_add(1, std::memory_order_relaxed);
      record(loop, caller, "account_locked", outcome.lockouts > 1 ? "critical" : "high", "blocked",
             {{"consecutive_failures", failures},
              {"lockouts", outcome.lockouts},
              {"locked_until",
               outcome.locked_until ? util::format_rfc3339(*outcome.locked_until) : std::string{}}},
             user_id);
    }
  }
  record(loop, caller, "failed_login", failure_severity(failures, settings_.lockout_failures), "",
         {{"consecutive_failures", failures}, {"phone_hash", phone_hash.substr(0, 32)}}, user_id);
  // Wrong codes for many accounts from one address: flagged when the count reaches it.
  const auto from_ip = co_await codes_.ip_failures(caller.ip, at - std::chrono::hours(1), scope);
  if (from_ip + 1 == settings_.suspicious_failures_per_ip_hour) {
    record(loop, caller, "suspicious_activity", "high", "flagged",
           {{"rule", "many_failed_codes_from_one_address"}, {"failures_last_hour", from_ip + 1}});
  }
}

asio::awaitable<api::SignedIn> AuthService::open_session(const Caller& caller,
                                                         const users::User& user) {
  const auto created =
      co_await sessions_.create(http::Principal::Kind::user, user.id, caller.ip, caller.user_agent);
  co_return api::SignedIn{
      .token = created.token,
      .expires_at = util::Microseconds{std::chrono::milliseconds{created.session.expires_at_ms}},
      .user = users::api::profile_of(user)};
}

void AuthService::note_country(const asio::any_io_executor& loop, const Caller& caller,
                               const users::User& user) {
  if (!caller.country) return;
  // Off the request's path: the sign-in does not wait for the rule. (A member coroutine with
  // its arguments copied into its frame, not a lambda whose captures would die with this
  // call.)
  asio::co_spawn(loop, check_country(loop, caller, user.id), logging::rethrow_unhandled);
}

asio::awaitable<void> AuthService::check_country(asio::any_io_executor loop, Caller caller,
                                                 std::string user_id) {
  try {
    const bool first_time = co_await users_.note_country(user_id, *caller.country, now(), {});
    const auto known = co_await users_.countries(user_id, {});
    if (first_time && known > 1) {
      record(loop, caller, "new_country_sign_in", "medium", "flagged",
             {{"rule", "sign_in_from_new_country"}, {"country", *caller.country}}, user_id);
    }
  } catch (const std::exception& error) {
    logging::warn("AUTH", "COUNTRY_RULE_FAILED", error.what(), {{"user_id", user_id}});
  }
}

asio::awaitable<api::SignedIn> AuthService::register_user(const Caller& caller,
                                                          const api::WalletProof& proof,
                                                          const db::Scope& scope) {
  // The wallet first: a message this server would not accept costs the code nothing.
  const std::string nonce = co_await check_wallet_proof(proof, scope);
  const auto verified =
      co_await verify_code(caller, proof.otp_id, proof.code, Purpose::register_account, scope);
  const auto address = pend::security::parse_address(proof.address)->checksummed();
  const auto at = now();
  std::optional<users::User> user;
  try {
    db::Lease conn = co_await database_.acquire(scope);
    db::Transaction tx(*conn, scope);
    const bool consumed = co_await codes_.consume_code(tx, verified.otp_id, at);
    if (!consumed) throw invalid_code();
    const bool nonce_used = co_await codes_.use_nonce(tx, nonce, address, at);
    if (!nonce_used) throw proof_failed("its nonce was used already");
    const users::NewUser row{.phone_hash = verified.phone_hash,
                             .address = address,
                             .country_code = verified.country_code,
                             .registration_ip = caller.ip,
                             .at = at};
    user = co_await users_.insert(tx, row);
    co_await tx.commit();
  } catch (const db::DatabaseError& error) {
    // Which of the two is taken is not said: it would confirm whose phone or wallet it is.
    if (error.sqlstate() == "23505") {
      throw DomainError::conflict("already_registered",
                                  "this phone number or wallet address is already registered");
    }
    throw;
  }
  figures_.registrations.fetch_add(1, std::memory_order_relaxed);
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.user_id = user->id;
  logging::business("USER_REGISTERED", "a user registered", entry);
  const auto loop = co_await asio::this_coro::executor;
  note_country(loop, caller, *user);
  co_return co_await open_session(caller, *user);
}

asio::awaitable<api::SignedIn> AuthService::sign_in(const Caller& caller,
                                                    const api::LoginRequest& request,
                                                    const db::Scope& scope) {
  const auto verified =
      co_await verify_code(caller, request.otp_id, request.code, Purpose::login, scope);
  // A right code for a phone without an account is still no sign-in, and says so no
  // differently from a wrong one.
  if (!verified.user) throw invalid_code();
  const auto& user = *verified.user;
  if (user.status != users::Status::active) {
    throw DomainError::forbidden("account_unavailable",
                                 "this account is suspended or closed; contact support");
  }
  const auto at = now();
  {
    db::Lease conn = co_await database_.acquire(scope);
    db::Transaction tx(*conn, scope);
    const bool consumed = co_await codes_.consume_code(tx, verified.otp_id, at);
    if (!consumed) throw invalid_code();
    co_await users_.record_sign_in(tx, user.id, at);
    co_await tx.commit();
  }
  auto signed_in_user = user;
  signed_in_user.last_login_at = at;
  figures_.sign_ins.fetch_add(1, std::memory_order_relaxed);
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.user_id = user.id;
  logging::business("USER_SIGNED_IN", "a user signed in", entry);
  const auto loop = co_await asio::this_coro::executor;
  note_country(loop, caller, user);
  co_return co_await open_session(caller, signed_in_user);
}

asio::awaitable<users::api::Profile> AuthService::change_address(const Caller& caller,
                                                                 std::string_view user_id,
                                                                 const api::WalletProof& proof,
                                                                 const db::Scope& scope) {
  const std::string nonce = co_await check_wallet_proof(proof, scope);
  const auto verified =
      co_await verify_code(caller, proof.otp_id, proof.code, Purpose::change_address, scope);
  // The code must have gone to this user's own phone.
  if (!verified.user || verified.user->id != user_id) throw invalid_code();
  const auto address = pend::security::parse_address(proof.address)->checksummed();
  const auto at = now();
  std::optional<users::User> updated;
  try {
    db::Lease conn = co_await database_.acquire(scope);
    db::Transaction tx(*conn, scope);
    const bool consumed = co_await codes_.consume_code(tx, verified.otp_id, at);
    if (!consumed) throw invalid_code();
    const bool nonce_used = co_await codes_.use_nonce(tx, nonce, address, at);
    if (!nonce_used) throw proof_failed("its nonce was used already");
    updated = co_await users_.update_address(tx, user_id, address);
    co_await tx.commit();
  } catch (const db::DatabaseError& error) {
    if (error.sqlstate() == "23505") {
      throw DomainError::conflict("address_taken", "this wallet address is already registered");
    }
    throw;
  }
  if (!updated) throw DomainError::not_found("no such user");
  logging::Entry entry{.ip_address = caller.ip, .endpoint = caller.endpoint};
  entry.user_id = updated->id;
  logging::business("USER_ADDRESS_CHANGED", "a user moved to a new wallet address", entry);
  co_return users::api::profile_of(*updated);
}

}  // namespace pend::domain::auth
