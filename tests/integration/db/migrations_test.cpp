// Migrations and the schema against the real PostgreSQL that scripts/test starts: each test
// gets a fresh database.
#include "db/migrations.hpp"
#include "db/partitions.hpp"
#include "db/seed.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

namespace pend::test {
namespace {

namespace fs = std::filesystem;

// A blocking connection for checks; returns the first value or the SQLSTATE on error.
class Psql {
 public:
  explicit Psql(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~Psql() { PQfinish(conn_); }

  // The first column of the first row, "" when none; throws on error.
  std::string value(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const std::string message = PQresultErrorMessage(result);
      PQclear(result);
      throw std::runtime_error(message);
    }
    std::string out = PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return out;
  }

  // The SQLSTATE the statement fails with, "" when it succeeds.
  std::string sqlstate(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    std::string out = state ? state : "";
    PQclear(result);
    return out;
  }

 private:
  PGconn* conn_;
};

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_url_ = env("PEND_TEST_DATABASE_URL");
    if (admin_url_.empty()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
    static std::atomic<int> counter{0};
    name_ = "pend_mig_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    Psql(admin_url_).value("CREATE DATABASE " + name_);
    boost::urls::url url = *boost::urls::parse_uri(admin_url_);
    url.set_path("/" + name_);
    url_ = std::string{url.buffer()};
  }
  void TearDown() override {
    if (name_.empty()) return;
    // FORCE cannot end an autovacuum worker (a superuser's process) that the big inserts
    // started in this database: retry until it is done, within a deadline.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      try {
        Psql(admin_url_).value("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        return;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > give_up) throw;
        std::this_thread::yield();
      }
    }
  }

  std::vector<db::MigrationFile> shipped() {
    return db::load_migrations(fs::path{PEND_SOURCE_DIR} / "migrations");
  }

  std::string admin_url_, name_, url_;
};

TEST_F(MigrationsTest, FromEmptyThenRerunIsANoOp) {
  db::Migrator migrator(url_);
  const auto first = migrator.up(shipped());
  ASSERT_EQ(first.applied.size(), shipped().size());
  EXPECT_EQ(first.applied[0].name, "initial_schema");
  EXPECT_EQ(first.applied[1].name, "enhanced_logging");
  EXPECT_EQ(first.applied[2].name, "performance_indexes");
  EXPECT_EQ(first.applied[3].name, "partition_retention");
  EXPECT_TRUE(migrator.up(shipped()).applied.empty());

  Psql psql(url_);
  const auto count = std::to_string(shipped().size());
  EXPECT_EQ(psql.value("SELECT count(*) FROM schema_migrations"), count);
  EXPECT_EQ(psql.value("SELECT count(*) FROM schema_migrations WHERE length(checksum) = 64 "
                       "AND duration_ms >= 0 AND applied_at <= now()"),
            count);
  for (const auto* table :
       {"users", "admin_users", "server_logs", "api_metrics", "system_metrics", "blockchain_events",
        "admin_audit_logs", "security_events", "system_config"}) {
    EXPECT_EQ(psql.value(std::string{"SELECT to_regclass('"} + table + "') IS NOT NULL"), "t")
        << table;
  }
  for (const auto& row : migrator.status(shipped())) EXPECT_EQ(row.state, "applied");
}

TEST_F(MigrationsTest, AChangedAppliedFileIsRefused) {
  db::Migrator migrator(url_);
  migrator.up(shipped());
  auto files = shipped();
  files[1].sql += "\n-- edited after release\n";
  files[1].checksum = std::string(64, 'f');
  try {
    migrator.up(files);
    FAIL() << "a changed migration must be refused";
  } catch (const db::MigrationError& error) {
    EXPECT_NE(std::string{error.what()}.find("002_enhanced_logging.sql was changed"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(migrator.status(files)[1].state, "changed");
}

TEST_F(MigrationsTest, AFailingMigrationLeavesNothingBehind) {
  auto files = shipped();
  files.push_back(
      {4, "broken", "CREATE TABLE half_done (id int); SELECT 1/0;", std::string(64, 'a')});
  db::Migrator migrator(url_);
  EXPECT_THROW(migrator.up(files), db::MigrationError);
  Psql psql(url_);
  EXPECT_EQ(psql.value("SELECT to_regclass('half_done') IS NULL"), "t");
  EXPECT_EQ(psql.value("SELECT max(version) FROM schema_migrations"),
            std::to_string(shipped().back().version));
}

TEST_F(MigrationsTest, ConcurrentMigratorsSerialize) {
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> migrators;
  for (int i = 0; i < 3; ++i) {
    migrators.emplace_back([&] {
      try {
        applied += static_cast<int>(db::Migrator(url_).up(shipped()).applied.size());
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : migrators) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), static_cast<int>(shipped().size())) << "each applied exactly once";
}

class SchemaTest : public MigrationsTest {
 protected:
  void SetUp() override {
    MigrationsTest::SetUp();
    if (!url_.empty()) db::Migrator(url_).up(shipped());
  }
};

TEST_F(SchemaTest, EveryCheckOfThePlanRejectsABadRow) {
  Psql psql(url_);
  const std::string user =
      "INSERT INTO users (phone_hash, blockchain_address, tier, status) VALUES ";
  EXPECT_EQ(psql.sqlstate(user + "('a', '0x1', 6, 'active')"), "23514");
  EXPECT_EQ(psql.sqlstate(user + "('b', '0x2', -1, 'active')"), "23514");
  EXPECT_EQ(psql.sqlstate(user + "('c', '0x3', 0, 'deleted')"), "23514");
  EXPECT_EQ(psql.sqlstate(user + "('d', '0x4', 5, 'closed')"), "");
  EXPECT_EQ(psql.sqlstate(user + "('d', '0x5', 1, 'active')"), "23505") << "phone_hash unique";

  const std::string log =
      "INSERT INTO server_logs (level, category, event_type, method, "
      "status_code) VALUES ";
  EXPECT_EQ(psql.sqlstate(log + "('fatal', 'API', 'X', 'GET', 200)"), "23514");
  EXPECT_EQ(psql.sqlstate(log + "('info', 'API', 'X', 'CONNECT', 200)"), "23514");
  EXPECT_EQ(psql.sqlstate(log + "('info', 'API', 'X', 'GET', 99)"), "23514");
  EXPECT_EQ(psql.sqlstate(log + "('info', 'API', 'X', 'GET', 600)"), "23514");
  EXPECT_EQ(psql.sqlstate(log + "('info', 'API', 'X', 'GET', 200)"), "");
  EXPECT_EQ(psql.sqlstate(log.substr(0, log.find(" (")) +
                          " (level, category, event_type) VALUES (NULL, 'API', 'X')"),
            "23502")
      << "level is NOT NULL";

  EXPECT_EQ(psql.sqlstate("INSERT INTO security_events (event_type, severity) "
                          "VALUES ('failed_login', 'urgent')"),
            "23514");
  EXPECT_EQ(psql.sqlstate("INSERT INTO admin_users (email, display_name, password_hash, role) "
                          "VALUES ('a@pend.example', 'A', 'x', 'owner')"),
            "23514");
  EXPECT_EQ(psql.sqlstate("INSERT INTO admin_users (email, display_name, password_hash) "
                          "VALUES ('Ops@Pend.example', 'A', 'x')"),
            "");
  EXPECT_EQ(psql.sqlstate("INSERT INTO admin_users (email, display_name, password_hash) "
                          "VALUES ('ops@pend.EXAMPLE', 'B', 'x')"),
            "23505")
      << "email is unique regardless of case";
}

TEST_F(SchemaTest, ForeignKeysFromPartitionedTablesHold) {
  Psql psql(url_);
  EXPECT_EQ(psql.sqlstate("INSERT INTO server_logs (level, category, event_type, user_id) VALUES "
                          "('info', 'API', 'X', gen_random_uuid())"),
            "23503");
  const auto user = psql.value(
      "INSERT INTO users (phone_hash, blockchain_address) VALUES ('p', '0xabc') RETURNING id");
  EXPECT_EQ(psql.sqlstate("INSERT INTO security_events (event_type, severity, user_id) VALUES "
                          "('failed_login', 'low', '" +
                          user + "')"),
            "");
}

TEST_F(SchemaTest, MonthlyPartitionsAndADefaultForEverythingElse) {
  Psql psql(url_);
  for (const auto* table : {"server_logs", "api_metrics", "system_metrics", "security_events"}) {
    const std::string t{table};
    EXPECT_EQ(
        psql.value("SELECT count(*) FROM pg_inherits WHERE inhparent = '" + t + "'::regclass"), "5")
        << t << ": this month, three ahead, and the default";
    EXPECT_EQ(psql.value("SELECT to_regclass('" + t +
                         "_' || to_char(now() AT TIME ZONE 'UTC', "
                         "'YYYY_MM')) IS NOT NULL"),
              "t");
    EXPECT_EQ(psql.value("SELECT to_regclass('" + t +
                         "_' || to_char((now() + interval '1 month')"
                         " AT TIME ZONE 'UTC', 'YYYY_MM')) IS NOT NULL"),
              "t");
  }
  psql.value(
      "INSERT INTO server_logs (timestamp, level, category, event_type) VALUES "
      "('2100-01-01T00:00:00Z', 'info', 'API', 'FAR_FUTURE'), "
      "(now(), 'info', 'API', 'NOW')");
  EXPECT_EQ(psql.value("SELECT tableoid::regclass FROM server_logs WHERE event_type = "
                       "'FAR_FUTURE'"),
            "server_logs_default");
  EXPECT_NE(psql.value("SELECT tableoid::regclass FROM server_logs WHERE event_type = 'NOW'"),
            "server_logs_default");
  EXPECT_EQ(psql.value("SELECT pend_ensure_monthly_partitions('server_logs', 3)"), "0")
      << "idempotent";
}

TEST_F(SchemaTest, RetentionDropsWholeMonthsPastItAndTheWindowMovesAhead) {
  Psql psql(url_);
  psql.value(
      "CREATE TABLE server_logs_2020_01 PARTITION OF server_logs FOR VALUES FROM "
      "('2020-01-01T00:00:00Z') TO ('2020-02-01T00:00:00Z')");
  psql.value(
      "INSERT INTO server_logs (timestamp, level, category, event_type) VALUES "
      "('2020-01-15T00:00:00Z', 'info', 'API', 'OLD')");
  // Last month is within every retention and must stay.
  psql.value(
      "DO $$ DECLARE s timestamp := date_trunc('month', now() AT TIME ZONE 'UTC') - "
      "interval '1 month'; BEGIN EXECUTE format('CREATE TABLE %I PARTITION OF server_logs FOR "
      "VALUES FROM (%L) TO (%L)', 'server_logs_' || to_char(s, 'YYYY_MM'), (s AT TIME ZONE "
      "'UTC')::text, ((s + interval '1 month') AT TIME ZONE 'UTC')::text); END $$");

  config::DatabaseSettings settings;  // retention 90 / 30 / 30 / 180 days
  const auto report = db::maintain_partitions(url_, 5, db::partition_policies(settings));
  EXPECT_EQ(report.dropped, std::vector<std::string>{"server_logs_2020_01"});
  EXPECT_EQ(report.created, 8) << "months 4 and 5 ahead, for four tables";
  EXPECT_EQ(psql.value("SELECT to_regclass('server_logs_2020_01') IS NULL"), "t");
  EXPECT_EQ(psql.value("SELECT count(*) FROM server_logs WHERE event_type = 'OLD'"), "0");
  EXPECT_EQ(psql.value("SELECT count(*) FROM pg_inherits WHERE inhparent = "
                       "'server_logs'::regclass"),
            "8")
      << "last month, this month, five ahead, and the default";

  const auto again = db::maintain_partitions(url_, 5, db::partition_policies(settings));
  EXPECT_EQ(again.created, 0);
  EXPECT_TRUE(again.dropped.empty());
}

TEST_F(SchemaTest, UpdatedAtIsMaintainedByTheDatabase) {
  Psql psql(url_);
  psql.value(
      "INSERT INTO admin_users (email, display_name, password_hash, updated_at) VALUES "
      "('t@pend.example', 'T', 'x', '2000-01-01')");
  psql.value("UPDATE admin_users SET display_name = 'T2' WHERE email = 't@pend.example'");
  EXPECT_EQ(psql.value("SELECT updated_at > '2001-01-01' FROM admin_users"), "t");
}

}  // namespace
}  // namespace pend::test

namespace pend::test {
namespace {

TEST_F(SchemaTest, SeedCreatesOneSuperadminAndDefaultsAndIsIdempotent) {
  config::SeedSettings settings{"Root@Pend.example", "correct horse battery staple"};
  const auto first = db::seed(url_, settings);
  EXPECT_EQ(first.admin, "created");
  EXPECT_GT(first.config_rows_created, 0);
  settings.admin_email = "root@pend.example";  // same admin, other case
  const auto second = db::seed(url_, settings);
  EXPECT_EQ(second.admin, "exists");
  EXPECT_EQ(second.config_rows_created, 0);

  Psql psql(url_);
  EXPECT_EQ(psql.value("SELECT count(*) FROM admin_users WHERE role = 'superadmin'"), "1");
  const auto hash = psql.value("SELECT password_hash FROM admin_users");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  EXPECT_EQ(crypto_pwhash_str_verify(hash.c_str(), "correct horse battery staple", 28), 0);
  EXPECT_NE(crypto_pwhash_str_verify(hash.c_str(), "wrong password!!", 16), 0);
}

TEST_F(SchemaTest, SeedRefusesAShortPassword) {
  EXPECT_THROW(db::seed(url_, {"a@pend.example", "short"}), db::DatabaseError);
  EXPECT_EQ(Psql(url_).value("SELECT count(*) FROM admin_users"), "0");
}

}  // namespace
}  // namespace pend::test
