// The PostgreSQL sink against a real server: rows mapped to server_logs columns, batches by
// count and by interval, an error flushed at once, nothing lost and nothing doubled across a
// PostgreSQL stop and start and across a restart of the logger, and invalid rows set aside.
#include "sinks/postgres_sink.hpp"
#include "db/blocking_session.hpp"
#include "db/migrations.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace pend::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using logging::Level;

fs::path scratch_dir(const std::string& name) {
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  const auto dir = fs::path(base) / ("pend-pgsink-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

std::unique_ptr<logging::Logger> logger_with(sinks::PostgresSinkOptions options,
                                             std::size_t ring_bytes = 2 << 20) {
  logging::LoggerOptions logger;
  logger.ring_bytes = ring_bytes;
  logger.level = Level::trace;
  logger.version = "9.9.9";
  logger.environment = "test";
  logger.sinks.push_back(std::make_unique<sinks::PostgresSink>(std::move(options)));
  return std::make_unique<logging::Logger>(std::move(logger));
}

// The batches on disk in the sinks' spools, counted without opening a spool: a Spool made
// here would be a second process's, in a slot of its own.
std::size_t spooled(const fs::path& dir) {
  std::size_t batches = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir / "spool", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().string().ends_with(".batch")) ++batches;
  }
  return batches;
}

// Polls until the count query returns at least expected (bounded), then returns it.
long count_reaching(const std::function<std::string()>& count, long expected) {
  long value = 0;
  for (int i = 0; i < 200; ++i) {
    value = std::stol(count());
    if (value >= expected) break;
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(200ms);  // a late duplicate would show now
  return std::stol(count());
}

TEST(PostgresSinkTest, BatchesByCountAndIntervalAndAnErrorAtOnce) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto dir = scratch_dir("batches");
  auto count = [&] { return database.value("SELECT count(*) FROM server_logs"); };
  {
    auto logger = logger_with({.url = database.url(),
                               .batch_size = 10,
                               .interval = std::chrono::hours(1),
                               .log_dir = dir});
    for (int i = 0; i < 25; ++i) logger->log(Level::info, "API", "TICK", "tick", {{"i", i}});
    logger->flush();
    EXPECT_EQ(count_reaching(count, 20), 20) << "two full batches; five wait";
    logger->log(Level::error, "API", "BOOM", "failed", {{"request_id", "r-9"}});
    logger->flush();
    EXPECT_EQ(count_reaching(count, 26), 26) << "an error flushes at once";
  }
  EXPECT_EQ(database.value("SELECT level || ' ' || category || ' ' || event_type || ' ' || "
                           "request_id || ' ' || (metadata->>'message') FROM server_logs WHERE "
                           "event_type = 'BOOM'"),
            "error API BOOM r-9 failed");
  {
    auto logger = logger_with({.url = database.url(),
                               .batch_size = 100,
                               .interval = std::chrono::milliseconds(200),
                               .log_dir = dir});
    for (int i = 0; i < 3; ++i) logger->log(Level::info, "API", "TICK", "tick");
    EXPECT_EQ(count_reaching(count, 29), 29) << "the interval flushes a short batch";
  }
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, NothingLostOrDoubledAcrossAPostgresOutageAndALoggerRestart) {
  if (env("PEND_TEST_DATABASE_URL").empty()) GTEST_SKIP() << "scripts/test provides PostgreSQL";
  TempPostgres postgres;
  db::Migrator(postgres.url()).up(db::load_migrations(fs::path{PEND_SOURCE_DIR} / "migrations"));
  const auto dir = scratch_dir("outage");
  auto count = [&] {
    return db::BlockingSession(postgres.url())
        .exec("SELECT count(*) || ' ' || count(DISTINCT id) FROM server_logs")
        .value(0, 0);
  };
  auto rows_and_distinct = [&] { return count(); };
  const sinks::PostgresSinkOptions options{.url = postgres.url(),
                                           .batch_size = 50,
                                           .interval = std::chrono::milliseconds(100),
                                           .log_dir = dir,
                                           .retry = std::chrono::milliseconds(200)};
  {
    auto logger = logger_with(options);
    for (int i = 0; i < 200; ++i) logger->log(Level::info, "API", "BEFORE", "b", {{"i", i}});
    logger->flush();
    EXPECT_EQ(count_reaching([&] { return count().substr(0, count().find(' ')); }, 200), 200);

    postgres.stop();
    for (int i = 0; i < 300; ++i) logger->log(Level::info, "API", "DURING", "d", {{"i", i}});
    logger->flush();
    std::this_thread::sleep_for(500ms);
    EXPECT_GT(spooled(dir), 0u) << "the batches PostgreSQL could not take are on disk";
    postgres.start();
    EXPECT_EQ(count_reaching([&] { return count().substr(0, count().find(' ')); }, 500), 500);
    EXPECT_EQ(rows_and_distinct(), "500 500") << "each entry exactly once";

    // Down again, and the process ends before PostgreSQL is back: the spool outlives it.
    postgres.stop();
    for (int i = 0; i < 120; ++i) logger->log(Level::warn, "API", "AT_EXIT", "x", {{"i", i}});
  }
  EXPECT_GT(spooled(dir), 0u);
  postgres.start();
  {
    auto restarted = logger_with(options);  // replays what the last run left
    EXPECT_EQ(count_reaching([&] { return count().substr(0, count().find(' ')); }, 620), 620);
  }
  EXPECT_EQ(rows_and_distinct(), "620 620");
  EXPECT_EQ(spooled(dir), 0u);
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, RowsTheTableRefusesGoToTheDeadLetterFile) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto dir = scratch_dir("dead-letter");
  {
    sinks::PostgresSink sink({.url = database.url(),
                              .batch_size = 3,
                              .interval = std::chrono::hours(1),
                              .log_dir = dir});
    const logging::RecordMeta meta{Level::info, logging::Category::api, false, false};
    sink.write(meta, R"({"@timestamp":"2026-11-25T10:00:00.000Z","message":"ok 1"})");
    sink.write(meta, R"({"@timestamp":"not a time","message":"refused"})");
    sink.write(meta, R"({"@timestamp":"2026-11-25T10:00:01.000Z","message":"ok 2"})");
    sink.flush();
  }  // the destructor delivers what was handed over
  EXPECT_EQ(database.value("SELECT string_agg(metadata->>'message', ',' ORDER BY timestamp) "
                           "FROM server_logs"),
            "ok 1,ok 2");
  std::ifstream in(dir / "dead-letter" / "postgres.jsonl");
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("refused"), std::string::npos) << line;
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, ADatabaseThatCannotWriteKeepsTheBatchForLaterNotTheDeadLetters) {
  // A read-only database (a standby after a failover) refuses every batch, but not for its
  // rows: they wait in the spool and arrive once it can write again.
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto dir = scratch_dir("read-only");
  const std::string name = database.value("SELECT current_database()");
  database.value("ALTER DATABASE " + name + " SET default_transaction_read_only = on");
  {
    auto logger = logger_with({.url = database.url(),
                               .batch_size = 10,
                               .interval = std::chrono::milliseconds(50),
                               .log_dir = dir,
                               .retry = std::chrono::milliseconds(100)});
    for (int i = 0; i < 30; ++i) logger->log(Level::warn, "API", "HELD", "h", {{"i", i}});
    logger->flush();
    for (int i = 0; i < 100 && spooled(dir) == 0; ++i) {
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_GT(spooled(dir), 0u);
    EXPECT_FALSE(fs::exists(dir / "dead-letter" / "postgres.jsonl"));
    database.value("BEGIN READ WRITE; ALTER DATABASE " + name +
                   " RESET default_transaction_read_only; COMMIT");
    EXPECT_EQ(
        count_reaching([&] { return database.value("SELECT count(*) FROM server_logs"); }, 30), 30);
  }
  EXPECT_EQ(database.value("SELECT count(DISTINCT id) FROM server_logs"), "30");
  EXPECT_FALSE(fs::exists(dir / "dead-letter" / "postgres.jsonl"));
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, EveryColumnArrivesAsTheEntrySaidIt) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto dir = scratch_dir("columns");
  const std::string user = database.value(
      "INSERT INTO users (phone_hash, blockchain_address) VALUES (repeat('a', 64), "
      "'0x' || repeat('1', 40)) RETURNING id");
  {
    auto logger = logger_with({.url = database.url(), .log_dir = dir});
    const boost::json::value request_data = {{"amount", "10.5"}, {"password", "hunter2"}};
    const boost::json::value metadata = {{"attempt", 2}};
    logging::Entry e;
    e.level = Level::error;
    e.category = "KYC";
    e.event_type = "DOCUMENT_REJECTED";
    e.message = "rejected: \"blurry\"\nsecond line";
    e.user_id = user;
    e.session_id = "9f2c";
    e.request_id = "req-1";
    e.correlation_id = "corr-1";
    e.ip_address = "2001:db8::7";
    e.user_agent = "Pend/2.3 (iPhone; iOS 18.1) \xc3\xa9";
    e.endpoint = "/api/v1/kyc/documents/{id}";
    e.method = "POST";
    e.status_code = 422;
    e.response_time_ms = 12.6;
    e.request_size_bytes = 2048;
    e.response_size_bytes = 96;
    e.error_code = "validation_failed";
    e.error_message = "document unreadable";
    e.error_stack = "at kyc::review\nat routes";
    e.request_data = &request_data;
    e.metadata = &metadata;
    logger->log(e);  // an error: shipped at once
  }
  EXPECT_EQ(database.value(
                "SELECT concat_ws('|', level, category, event_type, user_id, admin_id IS NULL, "
                "session_id, request_id, correlation_id, ip_address, user_agent, endpoint, method, "
                "status_code, response_time_ms, request_size_bytes, response_size_bytes, "
                "error_code, error_message, error_stack, request_data->>'amount', "
                "request_data->>'password', metadata->>'attempt', metadata->>'message', "
                "metadata->>'version', metadata ? 'service', "
                "abs(extract(epoch FROM now() - timestamp)) < 60) FROM server_logs"),
            "error|KYC|DOCUMENT_REJECTED|" + user +
                "|t|9f2c|req-1|corr-1|2001:db8::7|Pend/2.3 (iPhone; iOS 18.1) \xc3\xa9|"
                "/api/v1/kyc/documents/{id}|POST|422|13|2048|96|validation_failed|document "
                "unreadable|at kyc::review\nat routes|10.5|[REDACTED]|2|rejected: "
                "\"blurry\"\nsecond line|9.9.9|f|t");
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, ABatchWithAnUnknownUserIsStoredWithTheIdKeptInMetadata) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto dir = scratch_dir("unknown-user");
  {
    auto logger = logger_with({.url = database.url(), .batch_size = 3, .log_dir = dir});
    logger->log(Level::info, "AUTH", "SIGNED_IN", "a", {{"request_id", "r-1"}});
    logger->log(Level::info, "AUTH", "SIGNED_IN", "b",
                {{"user_id", "7c9e6679-7425-40de-944b-e07fc1f90ae7"}});  // no such user
    logger->log(Level::info, "AUTH", "SIGNED_IN", "c");
  }
  // COPY refuses the whole batch for the foreign key; the merge stores all three.
  EXPECT_EQ(database.value("SELECT count(*) FROM server_logs"), "3");
  EXPECT_EQ(database.value("SELECT count(*) FROM server_logs WHERE user_id IS NOT NULL"), "0");
  EXPECT_EQ(database.value("SELECT metadata->>'user_id' FROM server_logs WHERE "
                           "metadata->>'message' = 'b'"),
            "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, ABacklogBeyondTheMemoryCapGoesThroughTheSpoolAndArrivesOnce) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto dir = scratch_dir("backlog");
  auto count = [&] {
    return database.value(
        "SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || count(DISTINCT metadata->>'i') "
        "FROM server_logs");
  };
  {
    auto logger = logger_with({.url = database.url(),
                               .batch_size = 50,
                               .interval = std::chrono::milliseconds(50),
                               .log_dir = dir,
                               .max_backlog_rows = 200},
                              /*ring_bytes=*/64 << 20);  // the burst fits: none dropped
    for (int i = 0; i < 20'000; ++i) logger->log(Level::info, "API", "BURST", "b", {{"i", i}});
    logger->flush();
    const auto& sink = dynamic_cast<const logging::BatchSink&>(*logger->sinks().front());
    for (int i = 0; i < 400 && sink.figures().rows.load() < 20'000; ++i) {
      std::this_thread::sleep_for(25ms);
    }
    EXPECT_GT(sink.figures().spooled.load(), 0u) << "the burst was more than the cap";
    EXPECT_EQ(sink.figures().replayed.load(), sink.figures().spooled.load());
    EXPECT_EQ(sink.figures().lost.load(), 0u);
  }
  EXPECT_EQ(count(), "20000 20000 20000") << "every entry once";
  EXPECT_EQ(spooled(dir), 0u);
  fs::remove_all(dir);
}

TEST(PostgresSinkTest, TheServersAccessLogLandsInServerLogsAndShowsInMetrics) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  auto settings = test_settings();
  settings.database.url = database.url();
  settings.log.dir = scratch_dir("server").string();
  settings.log.sinks = {"console trace json", "postgres info"};
  {
    TestServer server(settings);
    for (int i = 0; i < 3; ++i) request(server.port(), "GET", "/api/v1/config");
    request(server.port(), "GET", "/no/such/thing");
    auto count = [&] {
      return database.value("SELECT count(*) FROM server_logs WHERE event_type = 'HTTP_REQUEST'");
    };
    // Time-batched (5 s): the rows arrive within the interval.
    EXPECT_GE(count_reaching(count, 4), 4);
    EXPECT_EQ(database.value("SELECT count(*) FROM server_logs WHERE event_type = 'HTTP_REQUEST' "
                             "AND endpoint = '/api/v1/config' AND method = 'GET' AND "
                             "status_code = 200 AND response_time_ms IS NOT NULL AND "
                             "request_id IS NOT NULL AND ip_address = '127.0.0.1'"),
              "3");
    EXPECT_EQ(database.value("SELECT count(*) FROM server_logs WHERE endpoint LIKE '/no/such%'"),
              "0")
        << "the route template, never the raw path";
    const auto metrics = request(server.port(), "GET", "/metrics").body;
    EXPECT_NE(metrics.find(R"(pend_log_sink_rows_total{sink="postgres"})"), std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find(R"(pend_log_sink_down{sink="postgres"} 0)"), std::string::npos);
  }
  fs::remove_all(settings.log.dir);
}

}  // namespace
}  // namespace pend::test
