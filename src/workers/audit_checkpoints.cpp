#include "workers/audit_checkpoints.hpp"

#include "logging/entry.hpp"

#include <boost/json/value.hpp>

namespace pend::workers {

AuditCheckpoints::AuditCheckpoints(AuditCheckpointOptions options)
    : spec_{.name = "audit-checkpoints",
            .scope = Scope::cluster,
            .interval = options.interval,
            .jitter = options.interval / 10,
            .deadline = std::chrono::milliseconds{10'000}},
      options_(std::move(options)),
      key_(options_.signing_seed) {}

RunReport AuditCheckpoints::run(RunContext& ctx) {
  const auto now =
      options_.clock != nullptr ? options_.clock->now() : std::chrono::system_clock::now();
  const auto checkpoint = db::write_audit_checkpoint(ctx.session(), key_, options_.policy, now);
  if (!checkpoint) return {{"checkpoints", 0}};
  // The copy outside the database: the security stream (files, PostgreSQL, Elasticsearch).
  const boost::json::value metadata = {{"seq", checkpoint->seq},
                                       {"row_hash", checkpoint->row_hash},
                                       {"created_at", checkpoint->created_at},
                                       {"public_key", checkpoint->public_key},
                                       {"signature", checkpoint->signature}};
  logging::Entry entry;
  entry.metadata = &metadata;
  logging::security("AUDIT_CHECKPOINT", "the admin audit chain's head was signed", entry);
  return {{"checkpoints", 1}, {"seq", checkpoint->seq}};
}

}  // namespace pend::workers
