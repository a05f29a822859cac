// The pend-server binary as operators run it: subcommands, exit codes, SIGTERM, and running
// out of file descriptors without dying.
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace pend::test {
namespace {

TEST(BinaryTest, VersionPrintsVersionCommitAndBuildType) {
  auto child = spawn({"version"});
  EXPECT_EQ(child->wait_exit_code(), 0);
  EXPECT_NE(child->output().find("pend-server 0.1.0 (commit "), std::string::npos)
      << child->output();
}

TEST(BinaryTest, HelpOnEveryLevel) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"serve", "--help"},
                                                                {"config", "--help"},
                                                                {"config", "check", "--help"},
                                                                {"healthcheck", "--help"},
                                                                {"worker", "--help"},
                                                                {"version", "--help"}}) {
    auto child = spawn(args);
    EXPECT_EQ(child->wait_exit_code(), 0) << args[0];
    EXPECT_NE(child->output().find("Usage"), std::string::npos) << child->output();
  }
}

TEST(BinaryTest, WorkerRunsOneWorkerAloneUntilSigterm) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  auto child = spawn({"worker", "cleanup", "--no-dotenv"},
                     {"DATABASE_URL=" + database.url(), "REDIS_URL=" + env("PEND_TEST_REDIS_URL"),
                      "PEND_CLEANUP_INTERVAL_MS=100000", "PEND_DATABASE_MAINTAIN_PARTITIONS=false",
                      "LOG_DIR=" + base + "/pend-worker-" + std::to_string(::getpid())});
  for (int i = 0; i < 200 && database.value("SELECT count(*) FROM worker_runs WHERE "
                                            "finished_at IS NOT NULL") == "0";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(database.value("SELECT worker || ' ' || outcome FROM worker_runs"), "cleanup ok")
      << child->output();
  ::kill(child->pid, SIGTERM);
  EXPECT_EQ(child->wait_exit_code(), 0) << child->output();
  EXPECT_NE(child->output().find("WORKER_STOPPED"), std::string::npos) << child->output();

  auto unknown = spawn({"worker", "janitor"});
  EXPECT_NE(unknown->wait_exit_code(), 0);
  EXPECT_NE(unknown->output().find("janitor"), std::string::npos) << unknown->output();
}

TEST(BinaryTest, InvalidConfigurationExitsWithCode2AndNamesEveryProblem) {
  auto child = spawn({"config", "check", "--no-dotenv"},
                     {"PEND_SERVER_MAX_CONNECTIONS=lots", "LOG_LEVEL=chatty"});
  EXPECT_EQ(child->wait_exit_code(), 2);
  const auto output = child->output();
  EXPECT_NE(output.find("PEND_SERVER_MAX_CONNECTIONS"), std::string::npos) << output;
  EXPECT_NE(output.find("LOG_LEVEL"), std::string::npos) << output;
}

TEST(BinaryTest, ConfigCheckMasksSecrets) {
  auto child = spawn({"config", "check", "--no-dotenv"},
                     {"DATABASE_URL=postgresql://pend:sup3rsecret@db.internal:5432/pend"});
  EXPECT_EQ(child->wait_exit_code(), 0) << child->output();
  const auto output = child->output();
  EXPECT_EQ(output.find("sup3rsecret"), std::string::npos) << output;
  EXPECT_NE(output.find("db.internal"), std::string::npos) << output;
}

TEST(BinaryTest, ServesAnswersHealthcheckAndExitsZeroOnSigterm) {
  const auto port = free_port();
  auto server = spawn({"serve", "--no-dotenv", "--port", std::to_string(port)});
  ASSERT_TRUE(wait_for_port(port)) << server->output();

  auto live = spawn({"healthcheck", "--no-dotenv", "--live", "--url",
                     "http://127.0.0.1:" + std::to_string(port) + "/api/v1/health/live"});
  EXPECT_EQ(live->wait_exit_code(), 0) << live->output();
  auto dead = spawn({"healthcheck", "--no-dotenv", "--timeout-ms", "500", "--url",
                     "http://127.0.0.1:" + std::to_string(free_port()) + "/api/v1/health/live"});
  EXPECT_EQ(dead->wait_exit_code(), 1);

  ASSERT_EQ(::kill(server->pid, SIGTERM), 0);
  EXPECT_EQ(server->wait_exit_code(), 0) << server->output();
  EXPECT_NE(server->output().find("SERVER_STOPPED"), std::string::npos);
}

TEST(BinaryTest, SighupReloadsTheLogLevelFromTheConfiguration) {
  // A config dir of the test's own, whose test.toml is edited while the server runs.
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  const std::filesystem::path dir = base + "/pend-sighup-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto write_config = [&](const char* level) {
    std::ofstream(dir / "test.toml")
        << "[log]\nlevel = \"" << level << "\"\nsinks = [\"console trace json\"]\n";
  };
  write_config("error");
  const auto port = free_port();
  auto server =
      spawn({"serve", "--no-dotenv", "--config-dir", dir.string(), "--port", std::to_string(port)});
  ASSERT_TRUE(wait_for_port(port)) << server->output();
  EXPECT_EQ(server->output().find("SERVER_STARTED"), std::string::npos) << "info is below error";

  write_config("info");
  ASSERT_EQ(::kill(server->pid, SIGHUP), 0);
  bool reloaded = false;
  for (int i = 0; i < 200 && !reloaded; ++i) {
    reloaded = server->output().find("LOG_LEVEL_CHANGED") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reloaded) << server->output();
  EXPECT_NE(server->output().find(R"("log_level":"info","previous_log_level":"error")"),
            std::string::npos)
      << server->output();

  write_config("loud");  // invalid: refused, the level stays
  ASSERT_EQ(::kill(server->pid, SIGHUP), 0);
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    refused = server->output().find("CONFIG_RELOAD_FAILED") != std::string::npos;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(refused) << server->output();
  ASSERT_EQ(::kill(server->pid, SIGTERM), 0);
  EXPECT_EQ(server->wait_exit_code(), 0) << server->output();
  EXPECT_NE(server->output().find("SERVER_STOPPED"), std::string::npos) << "info applies now";
  std::filesystem::remove_all(dir);
}

TEST(BinaryTest, RunningOutOfFileDescriptorsDoesNotKillTheServer) {
  const auto port = free_port();
  // 64 descriptors: a few for the process itself, the rest for clients.
  auto server =
      spawn({"serve", "--no-dotenv", "--threads", "1", "--port", std::to_string(port)}, {}, 64);
  ASSERT_TRUE(wait_for_port(port)) << server->output();

  std::vector<std::unique_ptr<RawConnection>> flood;
  int refused = 0;
  for (int i = 0; i < 120; ++i) {
    try {
      flood.push_back(std::make_unique<RawConnection>(port, std::chrono::milliseconds(2000)));
      flood.back()->send(build_request("GET", "/api/v1/health/live"));
    } catch (const std::exception&) {
      // A connect may fail outright once the backlog is full; that is a refusal too.
    }
  }
  for (auto& connection : flood) {
    const auto res = connection->read_response();
    if (res && res->status == 503u) ++refused;
  }
  EXPECT_GT(refused, 0) << "some connections were refused with 503";
  EXPECT_EQ(::kill(server->pid, 0), 0) << "still alive: " << server->output();

  flood.clear();
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {
    try {
      served = request(port, "GET", "/api/v1/health/live").status == 200u;
    } catch (const std::exception&) {
    }
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served) << "serves again once descriptors are free";
  EXPECT_NE(server->output().find("DESCRIPTORS_EXHAUSTED"), std::string::npos);
  ::kill(server->pid, SIGTERM);
  EXPECT_EQ(server->wait_exit_code(), 0);
}

}  // namespace
}  // namespace pend::test
