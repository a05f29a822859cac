#include "db/audit_chain.hpp"

#include "db/value.hpp"
#include "security/digest.hpp"
#include "util/hex.hpp"

#include <map>

namespace pend::db {

namespace {

constexpr int kBatch = 1000;
const std::string kZeroHash(64, '0');

std::string seq_text(std::int64_t seq) { return std::to_string(seq); }

}  // namespace

std::string checkpoint_message(std::int64_t seq, std::string_view row_hash_hex,
                               std::string_view created_at) {
  std::string message = "pend-audit-checkpoint-v1\n";
  message += seq_text(seq);
  message += '\n';
  message += row_hash_hex;
  message += '\n';
  message += created_at;
  return message;
}

AuditVerification verify_audit_chain(BlockingSession& session, const AuditVerifyOptions& options) {
  AuditVerification report;
  const auto head = session.exec("SELECT seq, encode(head_hash, 'hex') FROM audit_chain");
  report.head_seq = head.size() > 0 ? std::stoll(head.value(0, 0)) : 0;
  const std::int64_t from = std::max<std::int64_t>(1, options.from_seq);

  // The checkpoints first: each must be signed, and the row at its seq must still hash to
  // what it signed.
  std::map<std::int64_t, std::string> signed_hashes;
  const auto checkpoints = session.exec(
      "SELECT seq, encode(row_hash, 'hex'), "
      "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
      "encode(public_key, 'hex'), encode(signature, 'hex') FROM audit_checkpoints "
      "WHERE seq >= $1 ORDER BY seq",
      {seq_text(from)});
  for (int i = 0; i < checkpoints.size(); ++i) {
    const std::int64_t seq = std::stoll(checkpoints.value(i, 0));
    const std::string hash = checkpoints.value(i, 1);
    const std::string key = checkpoints.value(i, 3);
    const auto message = checkpoint_message(seq, hash, checkpoints.value(i, 2));
    const bool right_key = options.public_key.empty() || key == util::lower_hex(options.public_key);
    const bool verifies =
        security::ed25519_verify(util::from_hex(key).value_or(""), message,
                                 util::from_hex(checkpoints.value(i, 4)).value_or(""));
    if (!right_key || !verifies) {
      report.problem = AuditProblem{
          seq, "checkpoint at seq " + seq_text(seq) +
                   (right_key ? ": its signature does not verify (the checkpoint was altered)"
                              : ": it is signed with another key than the one given")};
      return report;
    }
    signed_hashes.emplace(seq, hash);
    ++report.checkpoints;
  }

  std::string expected_prev = kZeroHash;
  if (from > 1) {
    const auto before =
        session.exec("SELECT encode(row_hash, 'hex') FROM admin_audit_logs WHERE seq = $1",
                     {seq_text(from - 1)});
    if (before.size() == 0) {
      report.problem = AuditProblem{from - 1, "row seq " + seq_text(from - 1) + " is missing"};
      return report;
    }
    expected_prev = before.value(0, 0);
  }
  std::int64_t expected_seq = from;
  std::int64_t last_checkpoint = 0;
  for (;;) {
    const auto rows = session.exec(
        "SELECT seq, id, encode(prev_hash, 'hex'), encode(row_hash, 'hex'), "
        "pend_audit_canonical(a) FROM admin_audit_logs a WHERE seq >= $1 ORDER BY seq LIMIT " +
            std::to_string(kBatch),
        {seq_text(expected_seq)});
    for (int i = 0; i < rows.size(); ++i) {
      const std::int64_t seq = std::stoll(rows.value(i, 0));
      const std::string id = rows.value(i, 1);
      const std::string row_hash = rows.value(i, 3);
      const std::string name = "row seq " + seq_text(seq) + " (id " + id + ")";
      if (seq != expected_seq) {
        report.problem = AuditProblem{expected_seq, "row seq " + seq_text(expected_seq) +
                                                        " is missing: the chain jumps from " +
                                                        seq_text(expected_seq - 1) + " to " +
                                                        seq_text(seq) + " (a row was deleted)"};
        return report;
      }
      if (rows.value(i, 2) != expected_prev) {
        report.problem = AuditProblem{
            seq, name + " does not follow row seq " + seq_text(seq - 1) +
                     ": its prev_hash is not that row's hash (a row before it was removed or "
                     "rewritten)"};
        return report;
      }
      if (security::sha256_hex(rows.value(i, 4)) != row_hash) {
        report.problem = AuditProblem{
            seq, name + " does not match its hash: its content changed after it was written"};
        return report;
      }
      if (const auto it = signed_hashes.find(seq); it != signed_hashes.end()) {
        if (it->second != row_hash) {
          report.problem = AuditProblem{
              seq, name + " differs from the signed checkpoint at seq " + seq_text(seq) +
                       ": the chain was rewritten after seq " + seq_text(last_checkpoint)};
          return report;
        }
        last_checkpoint = seq;
      }
      expected_prev = row_hash;
      ++expected_seq;
      ++report.rows;
    }
    if (rows.size() < kBatch) break;
  }
  const std::int64_t last = expected_seq - 1;
  if (report.head_seq > last) {
    report.problem = AuditProblem{last + 1, "rows after seq " + seq_text(last) +
                                                " are missing: the chain's head is seq " +
                                                seq_text(report.head_seq)};
  } else if (head.size() > 0 && last >= from && head.value(0, 1) != expected_prev) {
    report.problem =
        AuditProblem{last, "the chain's head does not match row seq " + seq_text(last)};
  }
  for (const auto& [seq, hash] : signed_hashes) {
    if (!report.problem && seq > last) {
      report.problem = AuditProblem{
          seq, "row seq " + seq_text(seq) + " is missing: a signed checkpoint covers it"};
    }
  }
  return report;
}

std::optional<AuditCheckpoint> write_audit_checkpoint(BlockingSession& session,
                                                      const security::Ed25519Key& key,
                                                      const AuditCheckpointPolicy& policy,
                                                      std::chrono::system_clock::time_point now) {
  const auto state = session.exec(
      "SELECT c.seq, encode(c.head_hash, 'hex'), coalesce(max(k.seq), 0), "
      "coalesce(extract(epoch FROM $1::timestamptz - max(k.created_at)), -1)::int8 "
      "FROM audit_chain c LEFT JOIN audit_checkpoints k ON true GROUP BY c.seq, c.head_hash",
      {format_timestamp(std::chrono::floor<std::chrono::microseconds>(now))});
  if (state.size() == 0) return std::nullopt;
  const std::int64_t head = std::stoll(state.value(0, 0));
  const std::int64_t last = std::stoll(state.value(0, 2));
  const std::int64_t age = std::stoll(state.value(0, 3));  // -1: no checkpoint yet
  if (head == 0 || head <= last) return std::nullopt;
  const bool enough_rows = head - last >= policy.every_rows;
  const bool long_enough = age < 0 || age >= policy.every.count();
  if (!enough_rows && !long_enough) return std::nullopt;
  AuditCheckpoint checkpoint;
  checkpoint.seq = head;
  checkpoint.row_hash = state.value(0, 1);
  checkpoint.created_at = format_timestamp(std::chrono::floor<std::chrono::microseconds>(now));
  checkpoint.public_key = util::to_hex(key.public_key());
  checkpoint.signature = util::to_hex(
      key.sign(checkpoint_message(checkpoint.seq, checkpoint.row_hash, checkpoint.created_at)));
  session.exec(
      "INSERT INTO audit_checkpoints (seq, row_hash, created_at, public_key, signature) "
      "VALUES ($1, decode($2, 'hex'), $3, decode($4, 'hex'), decode($5, 'hex')) "
      "ON CONFLICT (seq) DO NOTHING",
      {seq_text(checkpoint.seq), checkpoint.row_hash, checkpoint.created_at, checkpoint.public_key,
       checkpoint.signature});
  return checkpoint;
}

}  // namespace pend::db
