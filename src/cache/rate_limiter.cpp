#include "cache/rate_limiter.hpp"

#include "cache/redis_error.hpp"

#include <algorithm>
#include <functional>

namespace pend::cache {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// KEYS[1] the counter; ARGV[1] the window in ms. Returns {count, ms until the window ends}.
// A counter found without an expiry (ttl -1) gets one: no key outlives its window.
const Script kFixedWindow{R"lua(
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
)lua"};

RateDecision decide(const config::RateLimitRule& rule, std::uint64_t count, milliseconds reset) {
  RateDecision d;
  d.count = count;
  d.allowed = count <= rule.limit;
  d.remaining = d.allowed ? static_cast<std::uint32_t>(rule.limit - count) : 0;
  d.reset = std::max(reset, milliseconds{0});
  d.first_refusal = count == std::uint64_t{rule.limit} + 1;
  return d;
}

}  // namespace

std::string RateLimiter::redis_key(const config::RateLimitRule& rule, std::string_view key) {
  return "rate_limit:" + rule.name + ":" + std::string{key};
}

RateDecision LocalLimiter::check(const config::RateLimitRule& rule, std::string_view key,
                                 std::chrono::steady_clock::time_point now) {
  std::string id = rule.name + ":" + std::string{key};
  Stripe& stripe = stripes_[std::hash<std::string>{}(id) % kStripes];
  std::lock_guard lock(stripe.mutex);
  auto position = stripe.windows.find(id);
  if (position == stripe.windows.end()) {
    if (stripe.windows.size() >= max_keys_per_stripe_) {
      std::erase_if(stripe.windows, [now](const auto& entry) { return entry.second.ends <= now; });
      // Still full (a flood of distinct keys): forget one rather than grow without bound.
      if (stripe.windows.size() >= max_keys_per_stripe_)
        stripe.windows.erase(stripe.windows.begin());
    }
    position = stripe.windows.emplace(std::move(id), Window{}).first;
  }
  Window& window = position->second;
  if (window.ends <= now) window = {0, now + rule.window};
  ++window.count;
  auto d = decide(rule, window.count, std::chrono::duration_cast<milliseconds>(window.ends - now));
  d.local = true;
  return d;
}

std::size_t LocalLimiter::size() const {
  std::size_t total = 0;
  for (const auto& stripe : stripes_) {
    std::lock_guard lock(stripe.mutex);
    total += stripe.windows.size();
  }
  return total;
}

asio::awaitable<void> RateLimiter::check(std::span<RateCheck> checks) {
  if (checks.empty()) co_return;
  std::vector<std::string> keys;
  keys.reserve(checks.size());
  Pipeline calls;
  for (const auto& c : checks) {
    keys.push_back(redis_key(*c.rule, c.key));
    const auto window_ms = std::chrono::duration_cast<milliseconds>(c.rule->window).count();
    calls.add("EVALSHA", kFixedWindow.sha1, 1, keys.back(), window_ms);
  }
  std::vector<Reply> replies;
  bool redis_down = false;
  try {
    replies = co_await redis_.pipeline(calls);
  } catch (const RedisError&) {
    redis_down = true;
  }
  for (std::size_t i = 0; i < checks.size(); ++i) {
    auto& c = checks[i];
    bool decided = false;
    if (!redis_down && i < replies.size()) {
      Reply reply = std::move(replies[i]);
      if (reply.is_error() && reply.text().starts_with("NOSCRIPT")) {
        // Redis restarted or flushed its scripts: EVAL loads it again (nothing ran yet).
        const auto window_ms = std::chrono::duration_cast<milliseconds>(c.rule->window).count();
        try {
          reply = co_await redis_.eval(kFixedWindow, 1, keys[i], window_ms);
        } catch (const RedisError&) {
          redis_down = true;
        }
      }
      const auto count = reply.size() == 2 ? reply[0].integer() : std::nullopt;
      const auto ttl = reply.size() == 2 ? reply[1].integer() : std::nullopt;
      if (count && ttl) {
        c.decision = decide(*c.rule, static_cast<std::uint64_t>(*count), milliseconds(*ttl));
        decided = true;
      }
    }
    if (!decided) c.decision = local_.check(*c.rule, c.key, std::chrono::steady_clock::now());
  }
}

}  // namespace pend::cache
