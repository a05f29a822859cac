// HealthRegistry: the dependency checks behind GET /api/v1/health/ready. Components register
// a named check at start-up; a readiness probe runs them all concurrently, each bounded by
// the check timeout, and reports each one.
//
//   registry.add("redis", [url](auto timeout) { return probe_redis(url, timeout); });
//   HealthReport report = co_await registry.check_all();
#pragma once

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace pend::health {

struct CheckResult {
  bool up = false;
  std::string detail;  // why it is down, for operators; never a secret
  // Figures worth showing beside the verdict (a pool's connections in use, waiting...).
  std::vector<std::pair<std::string, std::int64_t>> figures;
};

struct CheckReport {
  std::string name;
  CheckResult result;
  std::chrono::microseconds latency{0};
};

struct HealthReport {
  bool ready = false;
  bool draining = false;
  std::vector<CheckReport> checks;
};

class HealthRegistry {
 public:
  using Check = std::function<boost::asio::awaitable<CheckResult>(std::chrono::milliseconds)>;

  explicit HealthRegistry(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  void add(std::string name, Check check);
  boost::asio::awaitable<HealthReport> check_all() const;

  // Once set (on SIGTERM), readiness fails so load balancers stop sending traffic.
  void set_draining() { draining_.store(true); }

 private:
  struct Entry {
    std::string name;
    Check check;
  };
  std::chrono::milliseconds timeout_;
  std::vector<Entry> checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace pend::health
