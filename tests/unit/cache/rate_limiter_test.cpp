// The in-memory fallback limiter (Redis down): the same fixed windows, exact counts, one
// first refusal per window, bounded memory.
#include "cache/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::cache {
namespace {

using namespace std::chrono_literals;
using Time = std::chrono::steady_clock::time_point;

config::RateLimitRule rule(const char* text) {
  std::string error;
  auto parsed = config::parse_rate_limit_rule(text, &error);
  EXPECT_TRUE(parsed) << error;
  return *parsed;
}

TEST(LocalLimiterTest, AdmitsExactlyTheLimitPerWindowAndFlagsTheFirstRefusalOnce) {
  LocalLimiter limiter(1000);
  const auto r = rule("login * ip 3/1m high");
  const Time t0{};
  for (std::uint32_t i = 1; i <= 3; ++i) {
    const auto d = limiter.check(r, "1.2.3.4", t0 + 1s);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 3 - i);
    EXPECT_TRUE(d.local);
  }
  auto d = limiter.check(r, "1.2.3.4", t0 + 2s);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.first_refusal);
  EXPECT_EQ(d.reset, 59s) << "the window began at the first request";
  d = limiter.check(r, "1.2.3.4", t0 + 3s);
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.first_refusal);
  EXPECT_TRUE(limiter.check(r, "5.6.7.8", t0 + 3s).allowed) << "keys are separate";
  d = limiter.check(r, "1.2.3.4", t0 + 61s);
  EXPECT_TRUE(d.allowed) << "a new window";
  EXPECT_EQ(d.remaining, 2u);
}

TEST(LocalLimiterTest, ConcurrentChecksAdmitNoMoreThanTheLimit) {
  LocalLimiter limiter(1000);
  const auto r = rule("burst * ip 500/1h low");
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 400; ++i) {
        if (limiter.check(r, "k", std::chrono::steady_clock::now()).allowed) ++admitted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 500);
}

TEST(LocalLimiterTest, MemoryStaysBoundedUnderAFloodOfKeys) {
  LocalLimiter limiter(160);
  const auto r = rule("global * ip 5/1m low");
  for (int i = 0; i < 10'000; ++i) limiter.check(r, "10.0." + std::to_string(i), Time{} + 1s);
  EXPECT_LE(limiter.size(), 16u * (160 / 16 + 1));
}

}  // namespace
}  // namespace pend::cache
