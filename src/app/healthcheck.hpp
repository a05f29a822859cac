// The `pend-server healthcheck` client: one GET against a running server, for container
// probes and cron. Exit code 0 when it answers 200 within the timeout, 1 otherwise.
#pragma once

#include <chrono>
#include <string>

namespace pend::app {

struct HealthcheckResult {
  bool healthy = false;
  unsigned status = 0;  // 0 when no HTTP answer came
  std::string body;     // the server's JSON report, or why there was none
};

HealthcheckResult run_healthcheck(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace pend::app
