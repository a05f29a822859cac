// Partition maintenance for the monthly-partitioned tables (migrations 002 and 004): keeps
// this month and the configured months ahead created, and drops whole months past each
// table's retention. Runs once from `pend-server partitions`, and inside `serve` on its own
// thread (PartitionMaintainer). An advisory lock makes concurrent runs from several instances
// take turns instead of colliding.
#pragma once

#include "config/settings.hpp"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pend::db {

struct PartitionPolicy {
  std::string table;
  unsigned retention_days;
};

std::vector<PartitionPolicy> partition_policies(const config::DatabaseSettings& settings);

struct PartitionReport {
  int created = 0;
  std::vector<std::string> dropped;
};

// Throws DatabaseError.
PartitionReport maintain_partitions(const std::string& database_url, unsigned months_ahead,
                                    const std::vector<PartitionPolicy>& policies);

class PartitionMaintainer {
 public:
  explicit PartitionMaintainer(config::DatabaseSettings settings);
  ~PartitionMaintainer();  // stops and joins
  PartitionMaintainer(const PartitionMaintainer&) = delete;
  PartitionMaintainer& operator=(const PartitionMaintainer&) = delete;

 private:
  void run();

  config::DatabaseSettings settings_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pend::db
