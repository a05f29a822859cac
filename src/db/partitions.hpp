// Partition maintenance for the monthly-partitioned tables (migrations 002 and 004): keeps
// this month and the configured months ahead created, and drops whole months past each
// table's retention. Runs from `pend-server partitions` and from the cleanup worker
// (workers/cleanup.hpp); an advisory lock makes a manual run and the worker take turns.
#pragma once

#include "config/settings.hpp"

#include <string>
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

class BlockingSession;

// Throws DatabaseError.
PartitionReport maintain_partitions(const std::string& database_url, unsigned months_ahead,
                                    const std::vector<PartitionPolicy>& policies);
PartitionReport maintain_partitions(BlockingSession& session, unsigned months_ahead,
                                    const std::vector<PartitionPolicy>& policies);

}  // namespace pend::db
