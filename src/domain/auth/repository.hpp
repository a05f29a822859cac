// SQL over auth_codes and auth_nonces (migrations/008): issuing codes under a per-phone
// lock with the caps counted from the rows, counting a submission before its comparison,
// consuming a code or a nonce once.
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "domain/auth/model.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace pend::domain::auth {

struct CodeCounts {
  std::int64_t phone_hour = 0;
  std::int64_t phone_day = 0;
  std::optional<util::Microseconds> last_for_purpose;  // the phone's latest code of this purpose
  std::int64_t ip_hour = 0;
  std::int64_t ip_distinct_phones = 0;  // distinct phones from the address in the hour
};

struct NewCode {
  std::string id;
  std::string phone_hash;
  Purpose purpose = Purpose::login;
  std::string code_mac;
  util::Microseconds created_at{};
  util::Microseconds expires_at{};
  std::string request_ip;
  std::optional<std::string> country_code;
};

struct Nonce {
  std::string address;
  util::Microseconds expires_at{};
  std::optional<util::Microseconds> used_at;
};

class AuthRepository {
 public:
  explicit AuthRepository(db::Database& database) : database_(database) {}

  // Takes the phone's advisory lock for the transaction, so that two requests for one
  // phone count and insert one after the other.
  boost::asio::awaitable<CodeCounts> lock_and_count(db::Transaction& tx,
                                                    std::string_view phone_hash, Purpose purpose,
                                                    std::string_view ip, util::Microseconds now);
  boost::asio::awaitable<void> insert_code(db::Transaction& tx, const NewCode& code);
  // Counts a submission against the code, if it is live, unused and within its budget; the
  // row as it is then. nullopt: unknown, expired, used or out of attempts.
  boost::asio::awaitable<std::optional<CountedCode>> count_attempt(std::string_view id,
                                                                   util::Microseconds now,
                                                                   int max_attempts,
                                                                   const db::Scope& scope);
  // Wrong submissions for the phone, across its codes, since `since`.
  boost::asio::awaitable<std::int64_t> phone_failures(std::string_view phone_hash,
                                                      util::Microseconds since,
                                                      const db::Scope& scope);
  // True when this call consumed it (false: it was used meanwhile).
  boost::asio::awaitable<bool> consume_code(db::Transaction& tx, std::string_view id,
                                            util::Microseconds at);

  boost::asio::awaitable<void> insert_nonce(std::string_view nonce, std::string_view address,
                                            util::Microseconds issued_at,
                                            util::Microseconds expires_at, const db::Scope& scope);
  boost::asio::awaitable<std::optional<Nonce>> find_nonce(std::string_view nonce,
                                                          const db::Scope& scope);
  // True when this call used it: unused, live and issued for address.
  boost::asio::awaitable<bool> use_nonce(db::Transaction& tx, std::string_view nonce,
                                         std::string_view address, util::Microseconds at);

  // Wrong codes recorded from the address since `since` (security_events, failed_login).
  boost::asio::awaitable<std::int64_t> ip_failures(std::string_view ip, util::Microseconds since,
                                                   const db::Scope& scope);

 private:
  db::Database& database_;
};

}  // namespace pend::domain::auth
