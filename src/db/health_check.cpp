#include "db/health_check.hpp"

namespace pend::db {

boost::asio::awaitable<health::CheckResult> check_health(Database& database,
                                                         std::chrono::milliseconds timeout) {
  static constexpr Statement kPing{"health.ping", "SELECT 1"};
  health::CheckResult result;
  try {
    co_await database.query(kPing, Scope{.deadline = Clock::now() + timeout});
    result.up = true;
  } catch (const DatabaseError& error) {
    result.detail = error.what();
  }
  const PoolTotals totals = database.totals();
  result.figures = {{"connections", totals.open},
                    {"in_use", totals.in_use},
                    {"idle", totals.idle},
                    {"waiting", totals.waiting}};
  co_return result;
}

}  // namespace pend::db
