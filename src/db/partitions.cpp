#include "db/partitions.hpp"

#include "db/blocking_session.hpp"
#include "logging/logger.hpp"

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
  session.exec(std::string{"SELECT pg_advisory_lock("} + kLockKey + ")");
  PartitionReport report;
  for (const auto& policy : policies) {
    const auto created = session.exec("SELECT pend_ensure_monthly_partitions($1, $2)",
                                      {policy.table, std::to_string(months_ahead)});
    report.created += std::stoi(created.value(0, 0));
    const auto dropped =
        session.exec("SELECT pend_drop_expired_partitions($1, make_interval(days => $2))",
                     {policy.table, std::to_string(policy.retention_days)});
    for (int row = 0; row < dropped.size(); ++row) report.dropped.push_back(dropped.value(row, 0));
  }
  session.exec(std::string{"SELECT pg_advisory_unlock("} + kLockKey + ")");
  return report;
}

PartitionMaintainer::PartitionMaintainer(config::DatabaseSettings settings)
    : settings_(std::move(settings)), thread_([this] { run(); }) {}

PartitionMaintainer::~PartitionMaintainer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PartitionMaintainer::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      const auto report = maintain_partitions(settings_.url, settings_.partition_months_ahead,
                                              partition_policies(settings_));
      std::string dropped;
      for (const auto& name : report.dropped) dropped += (dropped.empty() ? "" : ",") + name;
      logging::info("GENERAL", "PARTITIONS_MAINTAINED", "partition maintenance done",
                    {{"created", report.created}, {"dropped", dropped}});
    } catch (const DatabaseError& error) {
      logging::warn("GENERAL", "PARTITIONS_FAILED", error.what(), {{"sqlstate", error.sqlstate()}});
    }
    lock.lock();
    wake_.wait_for(lock, settings_.partition_check_interval, [this] { return stopping_; });
  }
}

}  // namespace pend::db
