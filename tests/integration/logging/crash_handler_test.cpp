// Crash reports from child processes that die: an exception nobody caught (on another thread,
// and escaping a coroutine spawned with rethrow_unhandled), a segmentation fault and abort()
// each leave the reason and a stack trace in LOG_DIR/exceptions.log, and the process still
// dies of it (non-zero).
#include "logging/crash_handler.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pend::test {
namespace {

namespace fs = std::filesystem;

struct Crash {
  int signal = 0;  // what the child died of
  std::string report;
};

// Runs die in a child with the crash handler installed; returns how it ended and the log.
Crash crash(const std::function<void()>& die) {
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  const fs::path dir = fs::path(base) / ("pend-crash-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(std::rand()));
  const pid_t child = ::fork();
  if (child == 0) {
    logging::install_crash_handler(dir);
    die();
    ::_exit(0);  // not reached
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  Crash result;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::ifstream in(dir / "exceptions.log");
  std::stringstream text;
  text << in.rdbuf();
  result.report = text.str();
  fs::remove_all(dir);
  return result;
}

TEST(CrashHandlerTest, AnUncaughtExceptionOnAnotherThread) {
  const auto result =
      crash([] { std::thread([] { throw std::runtime_error("ledger out of balance"); }).join(); });
  EXPECT_EQ(result.signal, SIGABRT);
  EXPECT_NE(result.report.find("uncaught exception: ledger out of balance"), std::string::npos)
      << result.report;
  EXPECT_NE(result.report.find("stack trace:\n"), std::string::npos);
  EXPECT_EQ(result.report.find("fatal signal"), std::string::npos) << "reported once";
}

TEST(CrashHandlerTest, AnExceptionEscapingASpawnedCoroutine) {
  // As on a shard: the loop runs on its own thread, and the exception leaves run() there.
  const auto result = crash([] {
    std::thread([] {
      boost::asio::io_context loop;
      boost::asio::co_spawn(
          loop,
          []() -> boost::asio::awaitable<void> {
            throw std::logic_error("coroutine gave up");
            co_return;
          },
          logging::rethrow_unhandled);
      loop.run();
    }).join();
  });
  EXPECT_EQ(result.signal, SIGABRT);
  EXPECT_NE(result.report.find("uncaught exception: coroutine gave up"), std::string::npos)
      << result.report;
}

TEST(CrashHandlerTest, FatalSignalsAreReportedAndStillKill) {
  for (const int signal : {SIGSEGV, SIGABRT, SIGFPE}) {
    const auto result = crash([signal] { ::raise(signal); });
    EXPECT_EQ(result.signal, signal);
    EXPECT_NE(result.report.find("fatal signal: SIG"), std::string::npos) << result.report;
    EXPECT_NE(result.report.find("stack trace:\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace pend::test
