#include "domain/auth/repository.hpp"

namespace pend::domain::auth {

namespace asio = boost::asio;

namespace {

constexpr db::Statement kLockPhone{"auth_codes.lock_phone",
                                   "SELECT pg_advisory_xact_lock(hashtextextended($1, 8))"};
constexpr db::Statement kCounts{
    "auth_codes.counts",
    "SELECT "
    "(SELECT count(*) FROM auth_codes WHERE phone_hash = $1 "
    "  AND created_at > $3 - interval '1 hour')::int8, "
    "(SELECT count(*) FROM auth_codes WHERE phone_hash = $1 "
    "  AND created_at > $3 - interval '1 day')::int8, "
    "(SELECT max(created_at) FROM auth_codes WHERE phone_hash = $1 AND purpose = $2), "
    "(SELECT count(*) FROM auth_codes WHERE request_ip = $4::inet "
    "  AND created_at > $3 - interval '1 hour')::int8, "
    "(SELECT count(DISTINCT phone_hash) FROM auth_codes WHERE request_ip = $4::inet "
    "  AND created_at > $3 - interval '1 hour')::int8"};
constexpr db::Statement kInsertCode{
    "auth_codes.insert",
    "INSERT INTO auth_codes (id, phone_hash, purpose, code_mac, created_at, expires_at, "
    "request_ip, country_code) VALUES ($1::uuid, $2, $3, decode($4, 'hex'), $5, $6, $7::inet, $8)"};
// Counted before the comparison, in one statement: of any number of concurrent
// submissions, at most max_attempts get a row back.
constexpr db::Statement kCountAttempt{
    "auth_codes.count_attempt",
    "UPDATE auth_codes SET attempts = attempts + 1 WHERE id = $1::uuid AND consumed_at IS NULL "
    "AND expires_at > $2 AND attempts < $3 "
    "RETURNING phone_hash, purpose, encode(code_mac, 'hex'), country_code, attempts"};
constexpr db::Statement kPhoneFailures{
    "auth_codes.phone_failures",
    "SELECT coalesce(sum(attempts - CASE WHEN consumed_at IS NULL THEN 0 ELSE 1 END), 0)::int8 "
    "FROM auth_codes WHERE phone_hash = $1 AND created_at > $2"};
constexpr db::Statement kConsume{
    "auth_codes.consume",
    "UPDATE auth_codes SET consumed_at = $2 WHERE id = $1::uuid AND consumed_at IS NULL "
    "RETURNING id"};
constexpr db::Statement kInsertNonce{
    "auth_nonces.insert",
    "INSERT INTO auth_nonces (nonce, address, issued_at, expires_at) VALUES ($1, $2, $3, $4)"};
constexpr db::Statement kFindNonce{
    "auth_nonces.find", "SELECT address, expires_at, used_at FROM auth_nonces WHERE nonce = $1"};
constexpr db::Statement kUseNonce{
    "auth_nonces.use",
    "UPDATE auth_nonces SET used_at = $3 WHERE nonce = $1 AND address = $2 AND used_at IS NULL "
    "AND expires_at > $3 RETURNING nonce"};
constexpr db::Statement kIpFailures{
    "security_events.failed_logins_from_ip",
    "SELECT count(*)::int8 FROM security_events WHERE event_type = 'failed_login' "
    "AND ip_address = $1::inet AND timestamp > $2"};

}  // namespace

asio::awaitable<CodeCounts> AuthRepository::lock_and_count(db::Transaction& tx,
                                                           std::string_view phone_hash,
                                                           Purpose purpose, std::string_view ip,
                                                           util::Microseconds now) {
  co_await tx.query(kLockPhone, phone_hash);
  const auto rows = co_await tx.query(kCounts, phone_hash, to_string(purpose), now, ip);
  const auto row = rows[0];
  co_return CodeCounts{.phone_hour = row.get<std::int64_t>(0),
                       .phone_day = row.get<std::int64_t>(1),
                       .last_for_purpose = row.opt<db::Timestamp>(2),
                       .ip_hour = row.get<std::int64_t>(3),
                       .ip_distinct_phones = row.get<std::int64_t>(4)};
}

asio::awaitable<void> AuthRepository::insert_code(db::Transaction& tx, const NewCode& code) {
  co_await tx.query(kInsertCode, code.id, code.phone_hash, to_string(code.purpose), code.code_mac,
                    code.created_at, code.expires_at, code.request_ip, code.country_code);
}

asio::awaitable<std::optional<CountedCode>> AuthRepository::count_attempt(std::string_view id,
                                                                          util::Microseconds now,
                                                                          int max_attempts,
                                                                          const db::Scope& scope) {
  const auto rows = co_await database_.query(kCountAttempt, scope, id, now, max_attempts);
  if (rows.empty()) co_return std::nullopt;
  const auto row = rows[0];
  const auto purpose = parse_purpose(row.get<std::string>(1));
  if (!purpose) co_return std::nullopt;
  co_return CountedCode{.phone_hash = row.get<std::string>(0),
                        .purpose = *purpose,
                        .code_mac = row.get<std::string>(2),
                        .country_code = row.opt<std::string>(3),
                        .attempts = row.get<int>(4)};
}

asio::awaitable<std::int64_t> AuthRepository::phone_failures(std::string_view phone_hash,
                                                             util::Microseconds since,
                                                             const db::Scope& scope) {
  const auto rows = co_await database_.query(kPhoneFailures, scope, phone_hash, since);
  co_return rows[0].get<std::int64_t>(0);
}

asio::awaitable<bool> AuthRepository::consume_code(db::Transaction& tx, std::string_view id,
                                                   util::Microseconds at) {
  const auto rows = co_await tx.query(kConsume, id, at);
  co_return !rows.empty();
}

asio::awaitable<void> AuthRepository::insert_nonce(std::string_view nonce, std::string_view address,
                                                   util::Microseconds issued_at,
                                                   util::Microseconds expires_at,
                                                   const db::Scope& scope) {
  co_await database_.query(kInsertNonce, scope, nonce, address, issued_at, expires_at);
}

asio::awaitable<std::optional<Nonce>> AuthRepository::find_nonce(std::string_view nonce,
                                                                 const db::Scope& scope) {
  const auto rows = co_await database_.query(kFindNonce, scope, nonce);
  if (rows.empty()) co_return std::nullopt;
  co_return Nonce{.address = rows[0].get<std::string>(0),
                  .expires_at = rows[0].get<db::Timestamp>(1),
                  .used_at = rows[0].opt<db::Timestamp>(2)};
}

asio::awaitable<bool> AuthRepository::use_nonce(db::Transaction& tx, std::string_view nonce,
                                                std::string_view address, util::Microseconds at) {
  const auto rows = co_await tx.query(kUseNonce, nonce, address, at);
  co_return !rows.empty();
}

asio::awaitable<std::int64_t> AuthRepository::ip_failures(std::string_view ip,
                                                          util::Microseconds since,
                                                          const db::Scope& scope) {
  const auto rows = co_await database_.query(kIpFailures, scope, ip, since);
  co_return rows[0].get<std::int64_t>(0);
}

}  // namespace pend::domain::auth
