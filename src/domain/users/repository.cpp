#include "domain/users/repository.hpp"

#include "util/enum_name.hpp"

namespace pend::domain::users {

namespace asio = boost::asio;

namespace {

#define PEND_USER_COLUMNS                                                               \
  "id, phone_hash, blockchain_address, tier, status, country_code, email, created_at, " \
  "last_login_at, login_count, failed_login_attempts, locked_until, lockouts"

constexpr db::Statement kById{"users.by_id",
                              "SELECT " PEND_USER_COLUMNS " FROM users WHERE id = $1::uuid"};
constexpr db::Statement kByPhoneHash{
    "users.by_phone_hash", "SELECT " PEND_USER_COLUMNS " FROM users WHERE phone_hash = $1"};
constexpr db::Statement kInsert{
    "users.insert",
    "INSERT INTO users (phone_hash, blockchain_address, tier, status, country_code, "
    "registration_ip, created_at, updated_at, last_login_at, login_count) "
    "VALUES ($1, $2, 0, 'active', $3, $4::inet, $5, $5, $5, 1) RETURNING " PEND_USER_COLUMNS};
constexpr db::Statement kRecordSignIn{
    "users.record_sign_in",
    "UPDATE users SET last_login_at = $2, login_count = login_count + 1, "
    "failed_login_attempts = 0, lockouts = 0, locked_until = NULL WHERE id = $1::uuid"};
// The lock-out decision in one statement: concurrent failures count exactly.
constexpr db::Statement kRecordFailure{
    "users.record_failure",
    "UPDATE users SET "
    "failed_login_attempts = CASE WHEN failed_login_attempts + 1 >= $2 THEN 0 "
    "  ELSE failed_login_attempts + 1 END, "
    "locked_until = CASE WHEN failed_login_attempts + 1 >= $2 THEN $3 + make_interval(secs => "
    "  least($5::float8, $4::float8 * power(2, least(lockouts, 30)))) ELSE locked_until END, "
    "lockouts = CASE WHEN failed_login_attempts + 1 >= $2 THEN lockouts + 1 ELSE lockouts END "
    "WHERE id = $1::uuid "
    "RETURNING failed_login_attempts, locked_until, lockouts, failed_login_attempts = 0"};
constexpr db::Statement kUpdateEmail{
    "users.update_email",
    "UPDATE users SET email = $2 WHERE id = $1::uuid RETURNING " PEND_USER_COLUMNS};
constexpr db::Statement kUpdateAddress{
    "users.update_address",
    "UPDATE users SET blockchain_address = $2 WHERE id = $1::uuid RETURNING " PEND_USER_COLUMNS};
constexpr db::Statement kNoteCountry{
    "user_sign_in_countries.note",
    "INSERT INTO user_sign_in_countries (user_id, country_code, first_seen_at, last_seen_at) "
    "VALUES ($1::uuid, $2, $3, $3) ON CONFLICT (user_id, country_code) DO UPDATE SET "
    "last_seen_at = EXCLUDED.last_seen_at RETURNING (xmax = 0) AS inserted"};
constexpr db::Statement kCountries{
    "user_sign_in_countries.count",
    "SELECT count(*)::int8 FROM user_sign_in_countries WHERE user_id = $1::uuid"};

#undef PEND_USER_COLUMNS

User user_of(const db::Row row) {
  User user;
  user.id = row.get<std::string>(0);
  user.phone_hash = row.get<std::string>(1);
  user.address = row.get<std::string>(2);
  user.tier = row.opt<int>(3).value_or(0);
  user.status = util::enum_from_name<Status>(row.opt<std::string>(4).value_or("active"))
                    .value_or(Status::active);
  user.country_code = row.opt<std::string>(5);
  user.email = row.opt<std::string>(6);
  user.created_at = row.opt<db::Timestamp>(7).value_or(db::Timestamp{});
  user.last_login_at = row.opt<db::Timestamp>(8);
  user.login_count = row.opt<int>(9).value_or(0);
  user.failed_login_attempts = row.opt<int>(10).value_or(0);
  user.locked_until = row.opt<db::Timestamp>(11);
  user.lockouts = row.get<int>(12);
  return user;
}

std::optional<User> first(const db::Result& rows) {
  if (rows.empty()) return std::nullopt;
  return user_of(rows[0]);
}

}  // namespace

asio::awaitable<std::optional<User>> UserRepository::by_id(std::string_view id,
                                                           const db::Scope& scope) {
  co_return first(co_await database_.query(kById, scope, id));
}

asio::awaitable<std::optional<User>> UserRepository::by_phone_hash(std::string_view phone_hash,
                                                                   const db::Scope& scope) {
  co_return first(co_await database_.query(kByPhoneHash, scope, phone_hash));
}

asio::awaitable<User> UserRepository::insert(db::Transaction& tx, const NewUser& user) {
  const auto rows = co_await tx.query(kInsert, user.phone_hash, user.address, user.country_code,
                                      user.registration_ip, user.at);
  co_return user_of(rows[0]);
}

asio::awaitable<void> UserRepository::record_sign_in(db::Transaction& tx, std::string_view id,
                                                     util::Microseconds at) {
  co_await tx.query(kRecordSignIn, id, at);
}

asio::awaitable<FailureOutcome> UserRepository::record_failure(std::string_view id, int failures,
                                                               util::Microseconds now,
                                                               std::chrono::seconds lockout,
                                                               std::chrono::seconds lockout_max,
                                                               const db::Scope& scope) {
  const auto rows = co_await database_.query(kRecordFailure, scope, id, failures, now,
                                             static_cast<double>(lockout.count()),
                                             static_cast<double>(lockout_max.count()));
  FailureOutcome outcome;
  if (rows.empty()) co_return outcome;
  const auto row = rows[0];
  outcome.failed_attempts = row.get<int>(0);
  outcome.locked_until = row.opt<db::Timestamp>(1);
  outcome.lockouts = row.get<int>(2);
  outcome.locked = row.get<bool>(3);
  co_return outcome;
}

asio::awaitable<std::optional<User>> UserRepository::update_email(
    std::string_view id, const std::optional<std::string>& email, const db::Scope& scope) {
  co_return first(co_await database_.query(kUpdateEmail, scope, id, email));
}

asio::awaitable<std::optional<User>> UserRepository::update_address(db::Transaction& tx,
                                                                    std::string_view id,
                                                                    std::string_view address) {
  co_return first(co_await tx.query(kUpdateAddress, id, address));
}

asio::awaitable<bool> UserRepository::note_country(std::string_view id, std::string_view country,
                                                   util::Microseconds at, const db::Scope& scope) {
  const auto rows = co_await database_.query(kNoteCountry, scope, id, country, at);
  co_return !rows.empty() && rows[0].get<bool>(0);
}

asio::awaitable<std::int64_t> UserRepository::countries(std::string_view id,
                                                        const db::Scope& scope) {
  const auto rows = co_await database_.query(kCountries, scope, id);
  co_return rows[0].get<std::int64_t>(0);
}

}  // namespace pend::domain::users
