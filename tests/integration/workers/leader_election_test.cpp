// Leader election between two pend-server processes sharing a database: one runs the
// cluster-wide cleanup worker, the other waits; when the leader is killed the other takes
// over; their runs never overlap (from worker_runs, which each run writes under the lock).
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> environment_for(const ScratchDatabase& database, const std::string& name,
                                         std::uint16_t port) {
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  return {"DATABASE_URL=" + database.url(),
          "REDIS_URL=" + env("PEND_TEST_REDIS_URL"),
          "PORT=" + std::to_string(port),
          "SERVER_INSTANCE=" + name,
          "PEND_WORKERS=cleanup",
          "PEND_CLEANUP_INTERVAL_MS=150",
          "PEND_WORKERS_TAKEOVER_MS=200",
          "PEND_DATABASE_MAINTAIN_PARTITIONS=false",
          "LOG_DIR=" + base + "/pend-leader-" + name + "-" + std::to_string(::getpid())};
}

int runs_of(const ScratchDatabase& database, const std::string& instance) {
  return std::stoi(database.value("SELECT count(*) FROM worker_runs WHERE server_instance = '" +
                                  instance + "' AND finished_at IS NOT NULL"));
}

TEST(LeaderElectionTest, OneProcessRunsTheWorkerAndAnotherTakesOverWhenItIsKilled) {
  ScratchDatabase database;
  if (!database.available() || env("PEND_TEST_REDIS_URL").empty()) {
    GTEST_SKIP() << "scripts/test provides PostgreSQL and Redis";
  }
  const auto port_a = free_port();
  auto a = spawn({"serve", "--no-dotenv"}, environment_for(database, "a", port_a));
  ASSERT_TRUE(wait_for_port(port_a)) << a->output();
  const auto port_b = free_port();
  auto b = spawn({"serve", "--no-dotenv"}, environment_for(database, "b", port_b));
  ASSERT_TRUE(wait_for_port(port_b)) << b->output();

  // a started first and holds the lock; b waits.
  for (int i = 0; i < 200 && runs_of(database, "a") < 5; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_GE(runs_of(database, "a"), 5) << a->output();
  EXPECT_EQ(runs_of(database, "b"), 0) << "never both running";

  ::kill(a->pid, SIGKILL);  // no goodbye: PostgreSQL ends its session, and the lock with it
  EXPECT_EQ(a->wait_exit_code(), 128 + SIGKILL);
  for (int i = 0; i < 200 && runs_of(database, "b") < 3; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_GE(runs_of(database, "b"), 3) << "b took over\n" << b->output();

  // No run of one started while a run of the other was going (the killed one included:
  // its run ended when its process did, before b's first).
  EXPECT_EQ(database.value(
                "SELECT count(*) FROM worker_runs x JOIN worker_runs y ON "
                "x.server_instance <> y.server_instance AND y.started_at >= x.started_at AND "
                "y.started_at < coalesce(x.finished_at, (SELECT min(started_at) FROM worker_runs "
                "WHERE server_instance = 'b'))"),
            "0");
  EXPECT_EQ(database.value("SELECT max(started_at) < (SELECT min(started_at) FROM worker_runs "
                           "WHERE server_instance = 'b') FROM worker_runs WHERE "
                           "server_instance = 'a'"),
            "t")
      << "b ran only after a was gone";
  ::kill(b->pid, SIGTERM);
  EXPECT_EQ(b->wait_exit_code(), 0) << b->output();
}

}  // namespace
}  // namespace pend::test
