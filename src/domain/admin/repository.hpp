// SQL over admin_users and admin_recovery_codes. Named statements, typed rows.
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "domain/admin/model.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pend::domain::admin {

// What a wrong password or code did to the account.
struct Failure {
  int consecutive = 0;  // failures in a row, this one included
  bool locked = false;  // this failure locked the account
};

class AdminRepository {
 public:
  explicit AdminRepository(db::Database& database) : database_(database) {}

  boost::asio::awaitable<std::optional<Admin>> by_email(std::string_view email,
                                                        const db::Scope& scope);
  boost::asio::awaitable<std::optional<Admin>> by_id(std::string_view id, const db::Scope& scope);
  // The role of an active admin; empty for any other (or no) admin.
  boost::asio::awaitable<std::optional<pend::security::Role>> active_role(std::string_view id,
                                                                          const db::Scope& scope);

  // A wrong password or code: counted, and at `failures` in a row the account is locked for
  // lockout * 2^lockouts (at most lockout_max).
  boost::asio::awaitable<Failure> record_failure(std::string_view id, int failures,
                                                 util::Microseconds now,
                                                 std::chrono::seconds lockout,
                                                 std::chrono::seconds lockout_max,
                                                 const db::Scope& scope);
  // A completed sign-in: last_login_at, and the failure and lock-out state reset.
  boost::asio::awaitable<void> record_sign_in(std::string_view id, util::Microseconds at,
                                              const db::Scope& scope);

  // The admin's own password in place of a one-time one; false when none was pending.
  boost::asio::awaitable<bool> set_password(std::string_view id, std::string_view hash,
                                            const db::Scope& scope);
  // The sealed secret of an enrolment shown but not yet confirmed (replaces an older one).
  boost::asio::awaitable<void> set_pending_secret(std::string_view id, std::string_view box,
                                                  const db::Scope& scope);
  // The pending secret (still `box`, not replaced meanwhile) becomes the admin's, with its
  // first accepted step; false when it changed or was confirmed already.
  boost::asio::awaitable<bool> confirm_enrolment(db::Transaction& tx, std::string_view id,
                                                 std::string_view box, std::int64_t step,
                                                 util::Microseconds at);
  // Records step as used, if it is later than the last one: false for a replayed code (or
  // one that lost a race with the same code).
  boost::asio::awaitable<bool> use_step(std::string_view id, std::int64_t step,
                                        const db::Scope& scope);

  // Replaces the admin's recovery codes with these HMACs (32 bytes each).
  boost::asio::awaitable<void> replace_recovery_codes(db::Transaction& tx, std::string_view id,
                                                      const std::vector<std::string>& macs,
                                                      util::Microseconds at);
  // Uses one unused recovery code; false when there is none with that HMAC.
  boost::asio::awaitable<bool> use_recovery_code(std::string_view id, std::string_view mac,
                                                 util::Microseconds at, const db::Scope& scope);

 private:
  db::Database& database_;
};

}  // namespace pend::domain::admin
