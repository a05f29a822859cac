// SQL over users (and the countries they signed in from). Named statements, typed rows.
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "domain/users/model.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pend::domain::users {

struct NewUser {
  std::string phone_hash;
  std::string address;
  std::optional<std::string> country_code;
  std::string registration_ip;
  util::Microseconds at{};
};

// What a wrong code did to the account.
struct FailureOutcome {
  int failed_attempts = 0;  // consecutive, after this one (0 when it locked)
  bool locked = false;      // this failure locked the account
  std::optional<util::Microseconds> locked_until;
  int lockouts = 0;
};

class UserRepository {
 public:
  explicit UserRepository(db::Database& database) : database_(database) {}

  boost::asio::awaitable<std::optional<User>> by_id(std::string_view id, const db::Scope& scope);
  boost::asio::awaitable<std::optional<User>> by_phone_hash(std::string_view phone_hash,
                                                            const db::Scope& scope);
  // Inside the caller's transaction (with the code and nonce it consumes); a phone or
  // address already registered is a unique violation (db::DatabaseError, 23505).
  boost::asio::awaitable<User> insert(db::Transaction& tx, const NewUser& user);
  // A successful sign-in: last_login_at, login_count, and the failure count and lock-out
  // state reset.
  boost::asio::awaitable<void> record_sign_in(db::Transaction& tx, std::string_view id,
                                              util::Microseconds at);
  // A wrong code for the account: counted, and at `failures` in a row the account is locked
  // for lockout * 2^lockouts (at most lockout_max).
  boost::asio::awaitable<FailureOutcome> record_failure(std::string_view id, int failures,
                                                        util::Microseconds now,
                                                        std::chrono::seconds lockout,
                                                        std::chrono::seconds lockout_max,
                                                        const db::Scope& scope);
  boost::asio::awaitable<std::optional<User>> update_email(std::string_view id,
                                                           const std::optional<std::string>& email,
                                                           const db::Scope& scope);
  boost::asio::awaitable<std::optional<User>> update_address(db::Transaction& tx,
                                                             std::string_view id,
                                                             std::string_view address);
  // Records that the user signed in from country; true when it is the first time.
  boost::asio::awaitable<bool> note_country(std::string_view id, std::string_view country,
                                            util::Microseconds at, const db::Scope& scope);
  // How many countries the user has signed in from.
  boost::asio::awaitable<std::int64_t> countries(std::string_view id, const db::Scope& scope);

 private:
  db::Database& database_;
};

}  // namespace pend::domain::users
