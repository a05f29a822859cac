#include "db/partitions.hpp"

#include "db/blocking_session.hpp"

namespace pend::db {
namespace {

// Any fixed 64-bit number shared by every pend-server: "partition maintenance running".
constexpr const char* kLockKey = "7425700110002";

}  // namespace

std::vector<PartitionPolicy> partition_policies(const config::DatabaseSettings& settings) {
  return {{"server_logs", settings.server_logs_retention_days},
          {"api_metrics", settings.api_metrics_retention_days},
          {"system_metrics", settings.system_metrics_retention_days},
          {"security_events", settings.security_events_retention_days}};
}

PartitionReport maintain_partitions(const std::string& database_url, unsigned months_ahead,
                                    const std::vector<PartitionPolicy>& policies) {
  BlockingSession session(database_url);
  return maintain_partitions(session, months_ahead, policies);
}

PartitionReport maintain_partitions(BlockingSession& session, unsigned months_ahead,
                                    const std::vector<PartitionPolicy>& policies) {
  // One transaction, its lock released with it whatever happens (the caller's session may
  // live on: the cleanup worker's).
  session.exec("BEGIN");
  try {
    session.exec(std::string{"SELECT pg_advisory_xact_lock("} + kLockKey + ")");
    PartitionReport report;
    for (const auto& policy : policies) {
      const auto created = session.exec("SELECT pend_ensure_monthly_partitions($1, $2)",
                                        {policy.table, std::to_string(months_ahead)});
      report.created += std::stoi(created.value(0, 0));
      const auto dropped =
          session.exec("SELECT pend_drop_expired_partitions($1, make_interval(days => $2))",
                       {policy.table, std::to_string(policy.retention_days)});
      for (int row = 0; row < dropped.size(); ++row) {
        report.dropped.push_back(dropped.value(row, 0));
      }
    }
    session.exec("COMMIT");
    return report;
  } catch (const DatabaseError& error) {
    if (!error.unavailable()) session.exec("ROLLBACK");
    throw;
  }
}

}  // namespace pend::db
