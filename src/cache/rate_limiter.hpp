// RateLimiter: fixed-window counters shared by every instance through Redis. One Lua script
// per check increments the window's counter and gives it its expiry in the same atomic step
// (the plan's INCR-then-EXPIRE leaves a counter that never expires if the process dies
// between the two). The window starts at a key's first request, as in the plan.
//
// When Redis cannot be asked, the same rule is applied by a per-instance in-memory limiter,
// so limits still hold (per instance) while Redis is down; it recovers by itself.
//
//   rate_limit:{rule}:{key}   the window's counter, expiring with the window
//
//   RateLimiter limiter(redis, settings.rate_limit.local_max_keys);
//   std::vector<RateCheck> checks{{&rule, "203.0.113.9"}};
//   co_await limiter.check(checks);   // fills each check's decision
#pragma once

#include "cache/redis.hpp"
#include "config/rate_limit_rule.hpp"

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

namespace pend::cache {

struct RateDecision {
  bool allowed = true;
  std::uint64_t count = 0;  // requests in this window, this one included
  std::uint32_t remaining = 0;
  std::chrono::milliseconds reset{0};  // until the window ends
  bool first_refusal = false;          // count == limit + 1: record it once per window
  bool local = false;                  // decided in memory (Redis was down)
};

struct RateCheck {
  const config::RateLimitRule* rule;
  std::string key;  // who is limited: an address, a user id, a phone hash
  RateDecision decision;
};

// The fallback: the same fixed windows in this process's memory, striped by key.
class LocalLimiter {
 public:
  explicit LocalLimiter(std::size_t max_keys) : max_keys_per_stripe_(max_keys / kStripes + 1) {}
  RateDecision check(const config::RateLimitRule& rule, std::string_view key,
                     std::chrono::steady_clock::time_point now);
  std::size_t size() const;

 private:
  static constexpr std::size_t kStripes = 16;
  struct Window {
    std::uint64_t count = 0;
    std::chrono::steady_clock::time_point ends;
  };
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Window> windows;
  };
  std::size_t max_keys_per_stripe_;
  std::array<Stripe, kStripes> stripes_;
};

class RateLimiter {
 public:
  RateLimiter(Redis& redis, std::size_t local_max_keys) : redis_(redis), local_(local_max_keys) {}

  // All checks in one round trip. Never throws for Redis: falls back to memory instead.
  boost::asio::awaitable<void> check(std::span<RateCheck> checks);

  static std::string redis_key(const config::RateLimitRule& rule, std::string_view key);
  const LocalLimiter& local() const { return local_; }

 private:
  Redis& redis_;
  LocalLimiter local_;
};

}  // namespace pend::cache
