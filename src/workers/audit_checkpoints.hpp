// The audit-checkpoints worker (cluster-wide, every 10 s): when the admin audit chain has
// grown by admin.audit_checkpoint_rows rows, or admin.audit_checkpoint_seconds have passed
// with any new row, it signs the chain's head with Ed25519 (admin.audit_signing_key), stores
// the checkpoint in audit_checkpoints and writes it to the security log stream, where a copy
// outlives anything done to the database (db/audit_chain.hpp).
#pragma once

#include "db/audit_chain.hpp"
#include "security/ed25519.hpp"
#include "util/clock.hpp"
#include "workers/worker.hpp"

#include <memory>

namespace pend::workers {

struct AuditCheckpointOptions {
  std::string signing_seed;  // 32 bytes
  db::AuditCheckpointPolicy policy;
  std::chrono::milliseconds interval{10'000};
  const util::Clock* clock = nullptr;  // the system's when null
};

class AuditCheckpoints final : public Worker {
 public:
  explicit AuditCheckpoints(AuditCheckpointOptions options);
  const WorkerSpec& spec() const override { return spec_; }
  RunReport run(RunContext& ctx) override;

 private:
  WorkerSpec spec_;
  AuditCheckpointOptions options_;
  security::Ed25519Key key_;
};

}  // namespace pend::workers
