#include "support/test_server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pend::test {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string{} : std::string{value};
}

config::Settings test_settings() {
  config::Settings settings;
  settings.environment = config::Environment::test;
  settings.server.host = "127.0.0.1";
  settings.server.port = 0;
  settings.server.threads = 2;
  settings.server.shutdown_timeout = std::chrono::seconds(5);
  settings.log.level = "info";
  settings.log.access_log = true;
  settings.log.sinks = {"console trace json"};  // to the captured file; no log files
  settings.cors.allowed_origins = {"https://app.pend.example"};
  settings.auth.phone_pepper = "test-pepper-not-a-secret-0123456789abcdef";
  // The tests play a proxy on loopback (X-Forwarded-For); trusting it is explicit.
  settings.server.trusted_proxies = {"127.0.0.1/32"};
  settings.server.max_connections_per_ip = 0;     // tests open many connections from loopback
  settings.database.maintain_partitions = false;  // tests run it explicitly
  // Tests run in parallel against one Redis: shared cache entries and rate-limit counters
  // would leak between them. The tests of those features turn them on, on a Redis of their own.
  settings.cache.enabled = false;
  settings.rate_limit.enabled = false;
  // Background workers and api_metrics rows: their own tests turn them on.
  settings.workers.enabled = {};
  settings.metrics.api_metrics = false;
  // The API reference's files from the checkout, wherever the test runs.
  settings.api_docs.spec = std::string{PEND_SOURCE_DIR} + "/docs/api/openapi.yaml";
  settings.api_docs.viewer =
      std::string{PEND_SOURCE_DIR} + "/node_modules/redoc/bundles/redoc.standalone.js";
  if (auto url = env("PEND_TEST_DATABASE_URL"); !url.empty()) settings.database.url = url;
  if (auto url = env("PEND_TEST_REDIS_URL"); !url.empty()) settings.redis.url = url;
  // Uploads go to a directory of the test's own, never into the working directory.
  std::string uploads = env("PEND_TEST_TMPDIR");
  if (uploads.empty()) uploads = "/tmp";
  uploads += "/pend-test-uploads-XXXXXX";
  if (::mkdtemp(uploads.data()) == nullptr) throw std::runtime_error("cannot create " + uploads);
  settings.storage.upload_dir = uploads;
  return settings;
}

TestServer::TestServer(config::Settings settings,
                       const std::function<void(app::Application&)>& setup,
                       const util::Clock* clock) {
  std::string dir = env("PEND_TEST_TMPDIR");
  if (dir.empty()) dir = "/tmp";
  std::string path = dir + "/pend-test-log-XXXXXX";
  log_fd_ = ::mkstemp(path.data());
  if (log_fd_ < 0) throw std::runtime_error("cannot create a log file in " + dir);
  log_path_ = path;
  app_ = std::make_unique<app::Application>(
      std::move(settings), app::ApplicationOptions{.log_fd = log_fd_, .clock = clock});
  if (setup) setup(*app_);
  app_->start();
}

TestServer::~TestServer() {
  app_->shutdown();
  app_->wait();
  app_.reset();
  ::close(log_fd_);
  ::unlink(log_path_.c_str());
}

std::string TestServer::log_text() {
  app_->logger().flush();
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pend::test
