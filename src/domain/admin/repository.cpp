#include "domain/admin/repository.hpp"

#include "util/enum_name.hpp"
#include "util/hex.hpp"

namespace pend::domain::admin {

namespace asio = boost::asio;

namespace {

#define PEND_ADMIN_COLUMNS                                                                      \
  "id, email, display_name, password_hash, role, status, failed_login_attempts, locked_until, " \
  "lockouts, encode(totp_secret_encrypted, 'hex'), encode(totp_pending_encrypted, 'hex'), "     \
  "totp_last_step, last_login_at, password_must_change"

constexpr db::Statement kByEmail{"admin_users.by_email",
                                 "SELECT " PEND_ADMIN_COLUMNS
                                 " FROM admin_users WHERE lower(email) = lower($1)"};
constexpr db::Statement kById{"admin_users.by_id",
                              "SELECT " PEND_ADMIN_COLUMNS " FROM admin_users WHERE id = $1::uuid"};
constexpr db::Statement kActiveRole{
    "admin_users.active_role",
    "SELECT role FROM admin_users WHERE id = $1::uuid AND status = 'active'"};
// The lock-out decision in one statement: concurrent failures count exactly.
constexpr db::Statement kRecordFailure{
    "admin_users.record_failure",
    "UPDATE admin_users SET "
    "failed_login_attempts = CASE WHEN failed_login_attempts + 1 >= $2 THEN 0 "
    "  ELSE failed_login_attempts + 1 END, "
    "locked_until = CASE WHEN failed_login_attempts + 1 >= $2 THEN $3 + make_interval(secs => "
    "  least($5::float8, $4::float8 * power(2, least(lockouts, 30)))) ELSE locked_until END, "
    "lockouts = CASE WHEN failed_login_attempts + 1 >= $2 THEN lockouts + 1 ELSE lockouts END "
    "WHERE id = $1::uuid RETURNING failed_login_attempts = 0, "
    "CASE WHEN failed_login_attempts = 0 THEN $2 ELSE failed_login_attempts END"};
constexpr db::Statement kRecordSignIn{
    "admin_users.record_sign_in",
    "UPDATE admin_users SET last_login_at = $2, failed_login_attempts = 0, lockouts = 0, "
    "locked_until = NULL WHERE id = $1::uuid"};
constexpr db::Statement kSetPassword{
    "admin_users.set_password",
    "UPDATE admin_users SET password_hash = $2, password_must_change = false "
    "WHERE id = $1::uuid AND password_must_change"};
constexpr db::Statement kSetPending{
    "admin_users.set_pending_secret",
    "UPDATE admin_users SET totp_pending_encrypted = decode($2, 'hex') WHERE id = $1::uuid"};
constexpr db::Statement kConfirmEnrolment{
    "admin_users.confirm_enrolment",
    "UPDATE admin_users SET totp_secret_encrypted = totp_pending_encrypted, "
    "totp_pending_encrypted = NULL, totp_last_step = $3, totp_enrolled_at = $4 "
    "WHERE id = $1::uuid AND totp_pending_encrypted = decode($2, 'hex') RETURNING id"};
constexpr db::Statement kUseStep{
    "admin_users.use_totp_step",
    "UPDATE admin_users SET totp_last_step = $2 WHERE id = $1::uuid "
    "AND totp_secret_encrypted IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2) "
    "RETURNING id"};
constexpr db::Statement kDeleteRecovery{
    "admin_recovery_codes.delete", "DELETE FROM admin_recovery_codes WHERE admin_id = $1::uuid"};
constexpr db::Statement kInsertRecovery{
    "admin_recovery_codes.insert",
    "INSERT INTO admin_recovery_codes (admin_id, code_mac, created_at) "
    "SELECT $1::uuid, decode(mac, 'hex'), $3 FROM unnest(string_to_array($2, ',')) AS mac"};
constexpr db::Statement kUseRecovery{
    "admin_recovery_codes.use",
    "UPDATE admin_recovery_codes SET used_at = $3 WHERE admin_id = $1::uuid "
    "AND code_mac = decode($2, 'hex') AND used_at IS NULL RETURNING id"};

std::optional<std::string> box_of(const db::Row& row, int column) {
  const auto hex = row.opt<std::string>(column);
  if (!hex) return std::nullopt;
  return util::from_hex(*hex);
}

Admin admin_of(const db::Row& row) {
  Admin admin;
  admin.id = row.get<std::string>(0);
  admin.email = row.get<std::string>(1);
  admin.display_name = row.get<std::string>(2);
  admin.password_hash = row.get<std::string>(3);
  admin.role = util::enum_from_name<pend::security::Role>(row.get<std::string>(4))
                   .value_or(pend::security::Role::viewer);
  // An unknown status is treated as not active.
  admin.status = util::enum_from_name<Status>(row.get<std::string>(5)).value_or(Status::disabled);
  admin.failed_login_attempts = row.get<int>(6);
  admin.locked_until = row.opt<db::Timestamp>(7);
  admin.lockouts = row.get<int>(8);
  admin.totp_box = box_of(row, 9);
  admin.totp_pending_box = box_of(row, 10);
  admin.totp_last_step = row.opt<std::int64_t>(11);
  admin.last_login_at = row.opt<db::Timestamp>(12);
  admin.password_must_change = row.get<bool>(13);
  return admin;
}

std::optional<Admin> first(const db::Result& rows) {
  if (rows.empty()) return std::nullopt;
  return admin_of(rows[0]);
}

}  // namespace

asio::awaitable<std::optional<Admin>> AdminRepository::by_email(std::string_view email,
                                                                const db::Scope& scope) {
  co_return first(co_await database_.query(kByEmail, scope, email));
}

asio::awaitable<std::optional<Admin>> AdminRepository::by_id(std::string_view id,
                                                             const db::Scope& scope) {
  co_return first(co_await database_.query(kById, scope, id));
}

asio::awaitable<std::optional<pend::security::Role>> AdminRepository::active_role(
    std::string_view id, const db::Scope& scope) {
  const auto rows = co_await database_.query(kActiveRole, scope, id);
  if (rows.empty()) co_return std::nullopt;
  co_return util::enum_from_name<pend::security::Role>(rows[0].get<std::string>(0));
}

asio::awaitable<Failure> AdminRepository::record_failure(std::string_view id, int failures,
                                                         util::Microseconds now,
                                                         std::chrono::seconds lockout,
                                                         std::chrono::seconds lockout_max,
                                                         const db::Scope& scope) {
  const auto rows = co_await database_.query(kRecordFailure, scope, id, failures, now,
                                             static_cast<double>(lockout.count()),
                                             static_cast<double>(lockout_max.count()));
  if (rows.empty()) co_return Failure{};
  co_return Failure{.consecutive = static_cast<int>(rows[0].get<std::int64_t>(1)),
                    .locked = rows[0].get<bool>(0)};
}

asio::awaitable<void> AdminRepository::record_sign_in(std::string_view id, util::Microseconds at,
                                                      const db::Scope& scope) {
  co_await database_.query(kRecordSignIn, scope, id, at);
}

asio::awaitable<bool> AdminRepository::set_password(std::string_view id, std::string_view hash,
                                                    const db::Scope& scope) {
  const auto rows = co_await database_.query(kSetPassword, scope, id, hash);
  co_return rows.affected() == 1;
}

asio::awaitable<void> AdminRepository::set_pending_secret(std::string_view id, std::string_view box,
                                                          const db::Scope& scope) {
  co_await database_.query(kSetPending, scope, id, util::to_hex(box));
}

asio::awaitable<bool> AdminRepository::confirm_enrolment(db::Transaction& tx, std::string_view id,
                                                         std::string_view box, std::int64_t step,
                                                         util::Microseconds at) {
  const auto rows = co_await tx.query(kConfirmEnrolment, id, util::to_hex(box), step, at);
  co_return !rows.empty();
}

asio::awaitable<bool> AdminRepository::use_step(std::string_view id, std::int64_t step,
                                                const db::Scope& scope) {
  const auto rows = co_await database_.query(kUseStep, scope, id, step);
  co_return !rows.empty();
}

asio::awaitable<void> AdminRepository::replace_recovery_codes(db::Transaction& tx,
                                                              std::string_view id,
                                                              const std::vector<std::string>& macs,
                                                              util::Microseconds at) {
  std::string list;
  for (const auto& mac : macs) {
    if (!list.empty()) list += ',';
    list += util::to_hex(mac);
  }
  co_await tx.query(kDeleteRecovery, id);
  co_await tx.query(kInsertRecovery, id, list, at);
}

asio::awaitable<bool> AdminRepository::use_recovery_code(std::string_view id, std::string_view mac,
                                                         util::Microseconds at,
                                                         const db::Scope& scope) {
  const auto rows = co_await database_.query(kUseRecovery, scope, id, util::to_hex(mac), at);
  co_return !rows.empty();
}

}  // namespace pend::domain::admin
