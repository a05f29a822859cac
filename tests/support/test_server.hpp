// TestServer: a real pend-server Application in this process, on an ephemeral loopback
// port, with its log lines captured in a file the test can read.
#pragma once

#include "app/application.hpp"
#include "config/settings.hpp"

#include <functional>
#include <memory>
#include <string>

namespace pend::test {

// Settings for tests: 127.0.0.1:0, two shards, dependency URLs from PEND_TEST_DATABASE_URL
// and PEND_TEST_REDIS_URL (scripts/test starts those servers), response cache and rate
// limiting off (tests of those turn them on).
config::Settings test_settings();

// Environment variable or empty.
std::string env(const char* name);

class TestServer {
 public:
  // setup runs before start(): add test routes, change nothing else. clock: the wall clock
  // the features read (a util::ManualClock the test moves), or the system's.
  explicit TestServer(config::Settings settings = test_settings(),
                      const std::function<void(app::Application&)>& setup = {},
                      const util::Clock* clock = nullptr);
  ~TestServer();

  std::uint16_t port() const { return app_->port(); }
  app::Application& app() { return *app_; }
  void shutdown() { app_->shutdown(); }
  void wait() { app_->wait(); }
  std::string log_text();  // everything logged so far

 private:
  std::string log_path_;
  int log_fd_ = -1;
  std::unique_ptr<app::Application> app_;
};

}  // namespace pend::test
