// The tamper-evident audit trail against real PostgreSQL: admin sign-ins write chained rows;
// concurrent appends get one seq each, no gaps; the server's role can neither update nor
// delete a row; `pend-server audit verify` (the binary, as operators run it) passes a clean
// chain and names the first row after an UPDATE made by the tables' owner, after a deleted
// row, and after the owner rewrote the whole chain past a signed checkpoint.
#include "db/audit_chain.hpp"
#include "db/error.hpp"
#include "security/ed25519.hpp"
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "util/hex.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

// The test configuration's admin.audit_signing_key (config/test.toml): 3e repeated.
std::string signing_seed() { return std::string(32, '\x3e'); }

struct AuditChainTest : ::testing::Test {
  void SetUp() override {
    if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  }
  // An audit row as the server appends it (the trigger gives seq and hashes).
  void append(int n) {
    for (int i = 0; i < n; ++i) {
      database.value(
          "INSERT INTO admin_audit_logs (action, resource_type, resource_id, "
          "new_values, ip_address, justification) VALUES ('user.suspend', 'user', '" +
          std::to_string(i) + "', '{\"status\": \"suspended\", \"n\": " + std::to_string(i) +
          "}', '198.51.100.7', 'case " + std::to_string(i) + "') RETURNING seq");
    }
  }
  // pend-server audit verify, as an operator runs it: exit code and output.
  std::pair<int, std::string> verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"audit", "verify", "--env", "test", "--no-dotenv"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = spawn(args, {"DATABASE_URL=" + database.url()});
    const int code = child->wait_exit_code();
    return {code, child->output()};
  }
  std::string refusal(const std::string& sql) {
    try {
      database.value(sql);
    } catch (const std::exception& error) {
      return error.what();
    }
    return "accepted";
  }
  // As the tables' owner may: with the append-only trigger off for one statement.
  void as_owner(const std::string& sql) {
    database.value("ALTER TABLE admin_audit_logs DISABLE TRIGGER admin_audit_logs_append_only; " +
                   sql +
                   "; ALTER TABLE admin_audit_logs ENABLE TRIGGER admin_audit_logs_append_only");
  }

  ScratchDatabase database;
};

TEST_F(AuditChainTest, RowsChainAndACleanChainVerifies) {
  append(5);
  EXPECT_EQ(database.value("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM admin_audit_logs"),
            "1,2,3,4,5");
  // Each row's prev_hash is the row before's hash; the first one's is zero.
  EXPECT_EQ(database.value("SELECT count(*) FROM admin_audit_logs a JOIN admin_audit_logs b "
                           "ON b.seq = a.seq - 1 WHERE a.prev_hash = b.row_hash"),
            "4");
  EXPECT_EQ(database.value("SELECT encode(prev_hash, 'hex') FROM admin_audit_logs WHERE seq = 1"),
            std::string(64, '0'));
  EXPECT_EQ(database.value("SELECT seq || ' ' || (head_hash = (SELECT row_hash FROM "
                           "admin_audit_logs WHERE seq = 5))::text FROM audit_chain"),
            "5 true");
  const auto [code, output] = verify();
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("ok: 5 row(s) from seq 1"), std::string::npos) << output;
}

TEST_F(AuditChainTest, TheServersRoleCannotChangeOrRemoveARow) {
  append(2);
  for (const std::string sql : {"UPDATE admin_audit_logs SET justification = 'x' WHERE seq = 1",
                                "DELETE FROM admin_audit_logs WHERE seq = 2",
                                // CASCADE: past admin_approvals' foreign key (which refuses a plain
                                // TRUNCATE) to the trigger.
                                "TRUNCATE admin_audit_logs CASCADE"}) {
    EXPECT_NE(refusal(sql).find("admin_audit_logs is append-only"), std::string::npos) << sql;
  }
  EXPECT_EQ(database.value("SELECT count(*) || ' ' || max(justification) FROM admin_audit_logs"),
            "2 case 1");
  db::BlockingSession session(database.url());
  ASSERT_TRUE(db::write_audit_checkpoint(session, security::Ed25519Key(signing_seed()), {},
                                         std::chrono::system_clock::now()));
  EXPECT_NE(refusal("DELETE FROM audit_checkpoints").find("audit_checkpoints is append-only"),
            std::string::npos);
  EXPECT_NE(refusal("UPDATE audit_checkpoints SET seq = 9").find("append-only"), std::string::npos);
}

TEST_F(AuditChainTest, VerifyNamesTheRowTheOwnerChanged) {
  append(4);
  const auto id = database.value("SELECT id FROM admin_audit_logs WHERE seq = 3");
  as_owner("UPDATE admin_audit_logs SET justification = 'nothing happened' WHERE seq = 3");
  const auto [code, output] = verify();
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("FAILED at seq 3: row seq 3 (id " + id +
                        ") does not match its hash: its content changed after it was written"),
            std::string::npos)
      << output;
  // From seq 4 on, the chain still holds (row 3's stored hash anchors it).
  EXPECT_EQ(verify({"--from", "4"}).first, 0);
}

TEST_F(AuditChainTest, VerifyNamesADeletedRow) {
  append(4);
  as_owner("DELETE FROM admin_audit_logs WHERE seq = 2");
  auto [code, output] = verify();
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("FAILED at seq 2: row seq 2 is missing: the chain jumps from 1 to 3"),
            std::string::npos)
      << output;
  as_owner("DELETE FROM admin_audit_logs WHERE seq >= 3");  // the last rows, too
  std::tie(code, output) = verify();
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("rows after seq 1 are missing: the chain's head is seq 4"),
            std::string::npos)
      << output;
}

TEST_F(AuditChainTest, ARewrittenChainFailsAtItsSignedCheckpoint) {
  append(3);
  db::BlockingSession session(database.url());
  const security::Ed25519Key key(signing_seed());
  const auto now = std::chrono::system_clock::now();
  const auto checkpoint =
      db::write_audit_checkpoint(session, key, {.every_rows = 3, .every = 300s}, now);
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->seq, 3);
  EXPECT_FALSE(db::write_audit_checkpoint(session, key, {.every_rows = 3, .every = 300s}, now))
      << "nothing new to sign";
  append(1);
  EXPECT_FALSE(db::write_audit_checkpoint(session, key, {.every_rows = 3, .every = 300s}, now))
      << "one row, and not five minutes";
  EXPECT_TRUE(
      db::write_audit_checkpoint(session, key, {.every_rows = 3, .every = 300s}, now + 301s));
  auto [code, output] = verify();
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("2 signed checkpoint(s) verify with key " + util::to_hex(key.public_key())),
            std::string::npos)
      << output;
  EXPECT_EQ(verify({"--public-key", std::string(64, 'a')}).first, 1) << "another key";

  // The owner rewrites row 2 and recomputes every hash after it, head included: the chain
  // is consistent again, but not with what was signed.
  as_owner(
      "UPDATE admin_audit_logs SET justification = 'rewritten' WHERE seq = 2; "
      "DO $$ DECLARE r RECORD; prev bytea; BEGIN "
      "  SELECT row_hash INTO prev FROM admin_audit_logs WHERE seq = 1; "
      "  FOR r IN SELECT id FROM admin_audit_logs WHERE seq >= 2 ORDER BY seq LOOP "
      "    UPDATE admin_audit_logs SET prev_hash = prev WHERE id = r.id; "
      "    UPDATE admin_audit_logs a SET row_hash = sha256(convert_to(pend_audit_canonical(a), "
      "      'UTF8')) WHERE id = r.id RETURNING row_hash INTO prev; "
      "  END LOOP; UPDATE audit_chain SET head_hash = prev; END $$");
  std::tie(code, output) = verify();
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("FAILED at seq 3: row seq 3"), std::string::npos) << output;
  EXPECT_NE(output.find("differs from the signed checkpoint at seq 3: the chain was rewritten "
                        "after seq 0"),
            std::string::npos)
      << output;
}

TEST_F(AuditChainTest, ConcurrentAppendsGetOneSeqEachWithoutGaps) {
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([this] {
      db::BlockingSession session(database.url());
      for (int i = 0; i < 25; ++i) {
        session.exec("INSERT INTO admin_audit_logs (action) VALUES ('cache.invalidate')");
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(database.value("SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || "
                           "' ' || max(seq) FROM admin_audit_logs"),
            "200 200 1 200");
  EXPECT_EQ(verify().first, 0);
}

}  // namespace
}  // namespace pend::test
