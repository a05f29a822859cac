// HealthRegistry: the dependency checks behind GET /api/v1/health/ready. Components register
// a named check at start-up; a readiness probe runs them all concurrently, each bounded by
// the check timeout, and reports each one.
//
//   registry.add("redis", [&](auto) { return redis.check_health(); }, /*critical=*/false);
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
  bool critical = true;  // a critical check down makes the instance not ready
  CheckResult result;
  std::chrono::microseconds latency{0};
};

struct HealthReport {
  bool ready = false;     // every critical check up, not draining
  bool degraded = false;  // ready, but a non-critical check is down
  bool draining = false;
  std::vector<CheckReport> checks;
};

class HealthRegistry {
 public:
  using Check = std::function<boost::asio::awaitable<CheckResult>(std::chrono::milliseconds)>;

  explicit HealthRegistry(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // critical: whether the instance can serve without it. Redis is not (the server degrades:
  // caches miss, limits go local); taking every instance out of the load balancer because
  // the shared Redis is down would turn a degradation into an outage.
  void add(std::string name, Check check, bool critical = true);
  boost::asio::awaitable<HealthReport> check_all() const;

  // Once set (on SIGTERM), readiness fails so load balancers stop sending traffic.
  void set_draining() { draining_.store(true); }

 private:
  struct Entry {
    std::string name;
    Check check;
    bool critical;
  };
  std::chrono::milliseconds timeout_;
  std::vector<Entry> checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace pend::health
