// PostgreSQL going away under a running server: requests that need it get 503 with
// Retry-After (never a 500, never a hang), readiness says why, and once PostgreSQL is back
// the pool heals by itself and the same server answers 200 again.
#include "db/migrations.hpp"
#include "db/seed.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

TEST(DatabaseOutageTest, RequestsGet503WhileItIsDownAndSucceedAfterWithoutRestartingUs) {
  if (env("PEND_TEST_DATABASE_URL").empty()) {
    GTEST_SKIP() << "scripts/test provides the PostgreSQL binaries and PEND_TEST_* settings";
  }
  TempPostgres postgres;
  db::Migrator(postgres.url())
      .up(db::load_migrations(std::filesystem::path{PEND_SOURCE_DIR} / "migrations"));
  db::seed(postgres.url(), config::SeedSettings{});

  auto settings = test_settings();
  settings.database.url = postgres.url();
  settings.database.reconnect_max = 500ms;
  settings.database.acquire_timeout = 1s;
  TestServer server(settings);

  const auto before = request(server.port(), "GET", "/api/v1/config");
  ASSERT_EQ(before.status, 200u) << before.body;
  EXPECT_EQ(before.json().at("config").at("registration_open"), true);
  // The access log reports the request's database time (written by the log thread).
  bool logged = false;
  for (int i = 0; i < 100 && !logged; ++i) {
    logged = server.log_text().find("\"database_time_ms\":") != std::string::npos;
    if (!logged) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(logged) << server.log_text();

  postgres.stop();
  // Every request while PostgreSQL is down: a clean 503 with Retry-After, quickly.
  for (int i = 0; i < 10; ++i) {
    const auto started = std::chrono::steady_clock::now();
    const auto during = request(server.port(), "GET", "/api/v1/config");
    EXPECT_EQ(during.status, 503u) << during.body;
    EXPECT_EQ(during.header("Retry-After"), "1");
    EXPECT_EQ(during.json().at("error").at("code"), "service_unavailable");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "no request hangs";
  }
  const auto ready = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_EQ(ready.json().at("checks").at("postgresql").at("status"), "down");

  postgres.start();
  // The pool reconnects on its own (backoff capped at 500 ms here); give it a few seconds.
  unsigned status = 0;
  const auto give_up = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < give_up) {
    status = request(server.port(), "GET", "/api/v1/config").status;
    if (status == 200) break;
    EXPECT_EQ(status, 503u);  // never anything but 503 on the way back
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 200u) << "the pool healed without restarting pend-server";
  // Each shard's pool reconnects on its own backoff: give the others the same few seconds
  // (20 successes in a row), then every shard serves, not just the one that answered first.
  for (int in_a_row = 0, i = 0; in_a_row < 20 && i < 200; ++i) {
    const auto next = request(server.port(), "GET", "/api/v1/config").status;
    EXPECT_TRUE(next == 200u || next == 503u) << next;
    in_a_row = next == 200u ? in_a_row + 1 : 0;
    if (next != 200u) std::this_thread::sleep_for(50ms);
  }
  for (int i = 0; i < 20; ++i) {
    const auto after = request(server.port(), "GET", "/api/v1/config");
    EXPECT_EQ(after.status, 200u) << after.body;
  }
  const auto ready_again = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(ready_again.json().at("checks").at("postgresql").at("status"), "up")
      << ready_again.body;
  EXPECT_EQ(server.log_text().find("UNHANDLED_EXCEPTION"), std::string::npos);
}

TEST(DatabaseOutageTest, PgCtlRestartWhileRequestsFlowGivesOnly200Or503) {
  if (env("PEND_TEST_DATABASE_URL").empty()) {
    GTEST_SKIP() << "scripts/test provides the PostgreSQL binaries and PEND_TEST_* settings";
  }
  TempPostgres postgres;
  db::Migrator(postgres.url())
      .up(db::load_migrations(std::filesystem::path{PEND_SOURCE_DIR} / "migrations"));
  db::seed(postgres.url(), config::SeedSettings{});
  auto settings = test_settings();
  settings.database.url = postgres.url();
  settings.database.reconnect_max = 500ms;
  TestServer server(settings);

  std::atomic<bool> running{true};
  std::map<unsigned, int> statuses;  // written by the client thread only
  std::thread client([&] {
    while (running.load()) statuses[request(server.port(), "GET", "/api/v1/config").status]++;
  });
  std::this_thread::sleep_for(200ms);
  postgres.restart();
  unsigned last = 0;
  const auto give_up = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < give_up && last != 200) {
    std::this_thread::sleep_for(100ms);
    last = request(server.port(), "GET", "/api/v1/config").status;
  }
  std::this_thread::sleep_for(200ms);
  running = false;
  client.join();
  EXPECT_EQ(last, 200u) << "the pool healed after the restart";
  for (const auto& [status, count] : statuses) {
    EXPECT_TRUE(status == 200 || status == 503) << count << " responses with status " << status;
  }
  EXPECT_GT(statuses[200], 0);
  EXPECT_EQ(server.log_text().find("UNHANDLED_EXCEPTION"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
