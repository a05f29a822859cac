// rate_limit: applies rate_limit.rules to each request whose route group they name, in one
// Redis round trip (cache::RateLimiter). Every response carries RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset for the tightest rule; a refusal is 429 with
// Retry-After. The first refusal of a key in a window (and only that one, across all
// instances) records a security_events row: rate_limit_exceeded / rate_limited.
#pragma once

#include "cache/rate_limiter.hpp"
#include "config/settings.hpp"
#include "http/middleware.hpp"
#include "metrics/prometheus_writer.hpp"
#include "util/per_thread.hpp"

#include <atomic>
#include <vector>

namespace pend::db {
class Database;
}

namespace pend::middleware {

class RateLimit final : public http::Middleware {
 public:
  // Throws std::invalid_argument on a rule the loader would have refused.
  RateLimit(const config::RateLimitSettings& settings, cache::RateLimiter& limiter,
            db::Database& database);

  std::string_view name() const override { return "rate_limit"; }
  bool waits(const http::RequestContext& ctx) const override;
  void before(http::RequestContext&) override {}
  boost::asio::awaitable<void> before_async(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}

  const std::vector<config::RateLimitRule>& rules() const { return rules_; }
  void collect(metrics::PrometheusWriter& out) const;

 private:
  struct Counters {
    explicit Counters(std::size_t rules) : refused(rules), local(rules) {}
    std::vector<std::atomic<std::uint64_t>> refused;  // by rule
    std::vector<std::atomic<std::uint64_t>> local;    // decided in memory, Redis down
  };
  std::string_view group_of(const http::RequestContext& ctx) const;

  bool enabled_;
  std::vector<config::RateLimitRule> rules_;
  cache::RateLimiter& limiter_;
  db::Database& database_;
  util::PerThread<Counters> counters_;
};

// The phone number a request is about ("phone" or "phone_number" in its JSON body), as a
// SHA-256 prefix: rate-limit keys never hold the number itself. Empty when there is none.
std::string phone_key(const http::RequestContext& ctx);

}  // namespace pend::middleware
