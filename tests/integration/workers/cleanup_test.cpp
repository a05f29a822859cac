// The cleanup worker against real PostgreSQL and Redis and a scratch LOG_DIR and UPLOAD_DIR:
// what is past its time goes, everything else stays.
#include "workers/cleanup.hpp"
#include "cache/blocking_redis.hpp"
#include "db/blocking_session.hpp"
#include "support/databases.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace pend::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void touch(const fs::path& path, std::chrono::hours age) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x\n";
  fs::last_write_time(path, fs::file_time_type::clock::now() - age);
}

TEST(CleanupTest, RemovesWhatIsExpiredAndNothingElse) {
  ScratchDatabase database;
  if (!database.available() || !TempRedis::available()) {
    GTEST_SKIP() << "scripts/test provides PostgreSQL and Redis";
  }
  TempRedis redis;  // of its own: the cleanup looks at every session index
  const auto endpoint = *config::parse_redis_url(redis.url());
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  const fs::path dir = fs::path(base) / ("pend-cleanup-" + std::to_string(::getpid()));
  fs::remove_all(dir);

  db::BlockingSession session(database.url());
  session.exec(
      "INSERT INTO worker_runs (worker, server_instance, started_at, finished_at, outcome) VALUES "
      "('cleanup', 'a', now() - interval '40 days', now() - interval '40 days', 'ok'), "
      "('cleanup', 'a', now() - interval '1 day', now() - interval '1 day', 'ok')");
  // Codes and nonces: one long expired of each, one live.
  session.exec(
      "INSERT INTO auth_codes (phone_hash, purpose, code_mac, created_at, expires_at) VALUES "
      "(repeat('a', 64), 'login', decode(repeat('00', 32), 'hex'), now() - interval '3 days', "
      "now() - interval '3 days' + interval '5 minutes'), "
      "(repeat('b', 64), 'login', decode(repeat('00', 32), 'hex'), now() - interval '1 day', "
      "now() - interval '1 day' + interval '5 minutes')");
  session.exec(
      "INSERT INTO auth_nonces (nonce, address, issued_at, expires_at) VALUES "
      "('oldnonce0000', '0x' || repeat('0', 40), now() - interval '3 hours', "
      "now() - interval '2 hours'), "
      "('livenonce000', '0x' || repeat('0', 40), now(), now() + interval '10 minutes')");
  // A month long past server_logs' 90 days of retention, beside the current ones.
  session.exec(
      "CREATE TABLE server_logs_2024_01 PARTITION OF server_logs "
      "FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')");
  {
    cache::BlockingRedis r(endpoint, 2s);
    r.command({"SET", "session:live", "x"});
    r.command({"SADD", "sessions:user:u1", "live", "gone-1", "gone-2"});
    r.command({"SADD", "sessions:admin:a1", "gone-3"});
    r.command({"SET", "sessionsish", "not an index"});
  }
  touch(dir / "uploads/tmp/old.part", 48h);
  touch(dir / "uploads/tmp/nested/old.part", 30h);
  touch(dir / "uploads/tmp/new.part", 1h);
  touch(dir / "uploads/kyc/document.pdf", 24h * 400);  // a kept document, however old
  touch(dir / "logs/spool/postgres/000000000001.batch.tmp", 3h);
  touch(dir / "logs/spool/postgres/000000000002.batch", 3h);  // a batch waiting: kept
  touch(dir / "logs/spool/postgres/000000000003.batch.tmp", 0h);
  touch(dir / "logs/dead-letter/postgres.jsonl", 24h * 40);
  touch(dir / "logs/dead-letter/elasticsearch.jsonl", 24h * 2);
  touch(dir / "logs/server-2026-01-01.log", 24h * 400);  // the file streams' own retention

  config::DatabaseSettings db_settings;
  db_settings.url = database.url();
  workers::Cleanup cleanup({.database = db_settings,
                            .cleanup = config::CleanupSettings{},
                            .redis = endpoint,
                            .upload_dir = dir / "uploads",
                            .log_dir = dir / "logs"});
  std::atomic<bool> stopping{false};
  workers::RunContext ctx(session, std::chrono::steady_clock::now() + 60s, stopping);
  const auto report = cleanup.run(ctx);

  EXPECT_EQ(report.at("partitions_dropped"), 1);
  EXPECT_EQ(report.at("worker_runs_deleted"), 1);
  EXPECT_EQ(report.at("auth_codes_deleted"), 1);
  EXPECT_EQ(report.at("auth_nonces_deleted"), 1);
  EXPECT_EQ(database.value("SELECT string_agg(left(phone_hash, 1), ',') FROM auth_codes"), "b");
  EXPECT_EQ(database.value("SELECT string_agg(nonce, ',') FROM auth_nonces"), "livenonce000");
  EXPECT_EQ(report.at("session_index_entries_removed"), 3);
  EXPECT_EQ(report.at("upload_temp_files_removed"), 2);
  EXPECT_EQ(report.at("spool_temp_files_removed"), 1);
  EXPECT_EQ(report.at("dead_letter_files_removed"), 1);

  EXPECT_EQ(database.value("SELECT count(*) FROM worker_runs"), "1");
  EXPECT_EQ(database.value("SELECT count(*) FROM pg_class WHERE relname = 'server_logs_2024_01'"),
            "0");
  EXPECT_NE(database.value("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON "
                           "c.oid = i.inhparent WHERE c.relname = 'server_logs'"),
            "0")
      << "the current partitions stay";
  {
    cache::BlockingRedis r(endpoint, 2s);
    const auto members = r.command({"SMEMBERS", "sessions:user:u1"});
    ASSERT_EQ(members.elements.size(), 1u);
    EXPECT_EQ(members.elements[0].text, "live");
    EXPECT_EQ(r.command({"EXISTS", "sessions:admin:a1"}).integer, 0);
    EXPECT_EQ(r.command({"EXISTS", "sessionsish"}).integer, 1);
  }
  EXPECT_FALSE(fs::exists(dir / "uploads/tmp/old.part"));
  EXPECT_FALSE(fs::exists(dir / "uploads/tmp/nested/old.part"));
  EXPECT_TRUE(fs::exists(dir / "uploads/tmp/new.part"));
  EXPECT_TRUE(fs::exists(dir / "uploads/kyc/document.pdf"));
  EXPECT_FALSE(fs::exists(dir / "logs/spool/postgres/000000000001.batch.tmp"));
  EXPECT_TRUE(fs::exists(dir / "logs/spool/postgres/000000000002.batch"));
  EXPECT_TRUE(fs::exists(dir / "logs/spool/postgres/000000000003.batch.tmp"));
  EXPECT_FALSE(fs::exists(dir / "logs/dead-letter/postgres.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "logs/dead-letter/elasticsearch.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "logs/server-2026-01-01.log"));

  const auto again = cleanup.run(ctx);  // nothing left to do
  EXPECT_EQ(again.at("session_index_entries_removed"), 0);
  EXPECT_EQ(again.at("upload_temp_files_removed"), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pend::test
