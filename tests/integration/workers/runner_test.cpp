// The worker runner in this process against real PostgreSQL: every run recorded in
// worker_runs and counted, a failing worker backing off without taking anything down, a run
// cut at its deadline, and a cluster-wide worker run by one of two runners only.
#include "workers/runner.hpp"

#include "db/blocking_session.hpp"
#include "metrics/prometheus_writer.hpp"
#include "support/databases.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

class ScriptedWorker final : public workers::Worker {
 public:
  ScriptedWorker(workers::WorkerSpec spec,
                 std::function<workers::RunReport(workers::RunContext&)> run)
      : spec_(std::move(spec)), run_(std::move(run)) {}
  const workers::WorkerSpec& spec() const override { return spec_; }
  workers::RunReport run(workers::RunContext& ctx) override {
    ++runs;
    return run_(ctx);
  }
  std::atomic<int> runs{0};

 private:
  workers::WorkerSpec spec_;
  std::function<workers::RunReport(workers::RunContext&)> run_;
};

// Polls until predicate() (bounded: 20 s).
bool eventually(const std::function<bool()>& predicate) {
  for (int i = 0; i < 400; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return predicate();
}

TEST(WorkerRunnerTest, RunsAreRecordedCountedAndAFailingWorkerBacksOff) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  workers::WorkerRunner runner({.database_url = database.url(), .instance = "runner-test"});
  auto good = std::make_unique<ScriptedWorker>(
      workers::WorkerSpec{.name = "good", .scope = workers::Scope::instance, .interval = 50ms},
      [](workers::RunContext& ctx) {
        ctx.session().exec("SELECT 1");
        return workers::RunReport{{"items_done", 2}};
      });
  auto bad = std::make_unique<ScriptedWorker>(
      workers::WorkerSpec{.name = "bad", .scope = workers::Scope::instance, .interval = 100ms},
      [](workers::RunContext&) -> workers::RunReport { throw std::runtime_error("disk on fire"); });
  auto& good_ref = *good;
  auto& bad_ref = *bad;
  runner.add(std::move(good));
  runner.add(std::move(bad));
  runner.start();
  ASSERT_TRUE(eventually([&] { return bad_ref.runs >= 4 && good_ref.runs >= 4; }));
  runner.stop();

  EXPECT_EQ(database.value("SELECT count(*) FILTER (WHERE outcome = 'ok') = count(*) AND "
                           "count(*) >= 4 FROM worker_runs WHERE worker = 'good'"),
            "t");
  EXPECT_EQ(database.value("SELECT DISTINCT summary->>'items_done' FROM worker_runs WHERE "
                           "worker = 'good'"),
            "2");
  EXPECT_EQ(database.value("SELECT DISTINCT outcome || ': ' || error FROM worker_runs WHERE "
                           "worker = 'bad'"),
            "failed: disk on fire");
  // Each wait after a failure is twice the one before: 200, 400, 800 ms after the 1st, 2nd,
  // 3rd failure (waits never end early, so these are lower bounds).
  EXPECT_EQ(database.value("SELECT bool_and(gap >= expected) FROM (SELECT started_at - "
                           "lag(finished_at) OVER (ORDER BY id) AS gap, "
                           "interval '100 ms' * 2 ^ (row_number() OVER (ORDER BY id) - 1) AS "
                           "expected FROM worker_runs WHERE worker = 'bad') runs "
                           "WHERE gap IS NOT NULL"),
            "t");

  metrics::PrometheusWriter out;
  runner.collect(out);
  const std::string text = out.text();
  EXPECT_NE(text.find(R"(pend_worker_runs_total{worker="bad",outcome="failed"} )"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(pend_worker_items_total{worker="good",item="items_done"} )"),
            std::string::npos);
  EXPECT_NE(text.find(R"(pend_worker_leader{worker="good"} 0)"), std::string::npos)
      << "stopped: it runs nowhere now";
}

TEST(WorkerRunnerTest, ARunIsCutAtItsDeadline) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  workers::WorkerRunner runner({.database_url = database.url()});
  auto slow = std::make_unique<ScriptedWorker>(
      workers::WorkerSpec{
          .name = "slow", .scope = workers::Scope::instance, .interval = 1h, .deadline = 300ms},
      [](workers::RunContext& ctx) {
        ctx.session().exec("SELECT pg_sleep(5)");  // statement_timeout ends it
        return workers::RunReport{};
      });
  runner.add(std::move(slow));
  runner.start();
  ASSERT_TRUE(eventually([&] {
    return database.value("SELECT count(*) FROM worker_runs WHERE finished_at IS NOT NULL") == "1";
  }));
  runner.stop();
  EXPECT_EQ(database.value("SELECT outcome || ' ' || (finished_at - started_at < interval '3 s') "
                           "FROM worker_runs"),
            "deadline_exceeded true");
}

TEST(WorkerRunnerTest, AClusterWorkerRunsOnOneRunnerAtATime) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  std::atomic<int> running{0}, overlaps{0};
  const auto make = [&] {
    return std::make_unique<ScriptedWorker>(
        workers::WorkerSpec{
            .name = "singleton", .scope = workers::Scope::cluster, .interval = 20ms},
        [&](workers::RunContext& ctx) {
          if (running.fetch_add(1) > 0) ++overlaps;
          ctx.session().exec("SELECT pg_sleep(0.02)");
          --running;
          return workers::RunReport{};
        });
  };
  std::unique_ptr<workers::WorkerRunner> runners[2];
  const char* names[2] = {"a", "b"};
  for (int i = 0; i < 2; ++i) {
    runners[i] = std::make_unique<workers::WorkerRunner>(workers::RunnerOptions{
        .database_url = database.url(), .instance = names[i], .takeover = 50ms});
    runners[i]->add(make());
  }
  for (auto& runner : runners) runner->start();
  ASSERT_TRUE(eventually(
      [&] { return std::stoi(database.value("SELECT count(*) FROM worker_runs")) >= 10; }));
  const std::string leader =
      database.value("SELECT string_agg(DISTINCT server_instance, ',') FROM worker_runs");
  ASSERT_TRUE(leader == "a" || leader == "b") << "one instance ran it: " << leader;
  const int other = leader == "a" ? 1 : 0;
  runners[1 - other].reset();  // the leader stops: its lock goes with its session
  ASSERT_TRUE(eventually([&] {
    return database.value("SELECT count(*) FROM worker_runs WHERE server_instance = '" +
                          std::string{names[other]} + "'") != "0";
  })) << "the other takes over";
  runners[other].reset();
  EXPECT_EQ(overlaps.load(), 0) << "never both running";
}

}  // namespace
}  // namespace pend::test
