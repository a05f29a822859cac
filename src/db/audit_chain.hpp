// The admin audit chain (migrations/010, docs/architecture/admin.md): verifying it and
// signing checkpoints of it, over a blocking session (the CLI and a worker; never the
// request path).
//
//   db::BlockingSession session(url);
//   const auto report = db::verify_audit_chain(session, {.from_seq = 1});
//   if (report.problem) std::cerr << report.problem->what;      // the first row that fails
//
//   db::write_audit_checkpoint(session, key, {.every_rows = 100, .every = 5min}, now);
#pragma once

#include "db/blocking_session.hpp"
#include "security/ed25519.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pend::db {

struct AuditProblem {
  std::int64_t seq = 0;
  std::string what;  // names the row (seq and id) or the checkpoint
};

struct AuditVerifyOptions {
  std::int64_t from_seq = 1;
  // Hex of the Ed25519 public key checkpoints must be signed with; empty: the key each
  // checkpoint names (the signature is still checked).
  std::string public_key;
};

struct AuditVerification {
  std::int64_t rows = 0;         // rows checked
  std::int64_t checkpoints = 0;  // signed checkpoints checked
  std::int64_t head_seq = 0;     // the chain's head as audit_chain records it
  std::optional<AuditProblem> problem;
};

AuditVerification verify_audit_chain(BlockingSession& session, const AuditVerifyOptions& options);

struct AuditCheckpointPolicy {
  std::int64_t every_rows = 100;    // a checkpoint after this many new rows...
  std::chrono::seconds every{300};  // ...or this long after the last, if any new
};

struct AuditCheckpoint {
  std::int64_t seq = 0;
  std::string row_hash;    // hex
  std::string created_at;  // RFC 3339, microseconds, UTC
  std::string public_key;  // hex
  std::string signature;   // hex
};

// The signed text: "pend-audit-checkpoint-v1\n<seq>\n<row hash hex>\n<created_at>".
std::string checkpoint_message(std::int64_t seq, std::string_view row_hash_hex,
                               std::string_view created_at);

// Signs and stores a checkpoint of the head when the policy says one is due; empty when
// none is (no new rows, or not enough and not long enough).
std::optional<AuditCheckpoint> write_audit_checkpoint(BlockingSession& session,
                                                      const security::Ed25519Key& key,
                                                      const AuditCheckpointPolicy& policy,
                                                      std::chrono::system_clock::time_point now);

}  // namespace pend::db
