// rate_limit: applies rate_limit.rules to each request whose route group they name, in one
// Redis round trip (cache::RateLimiter). Every response carries RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset for the tightest rule; a refusal is 429 with
// Retry-After. The first refusal of a key in a window (and only that one, across all
// instances) is handed to the refusal recorder (the composition root makes it a
// security_events row: rate_limit_exceeded / rate_limited).
//
// The middleware applies the ip and user rules. Rules keyed on something only a service
// knows (phone: the normalised number's hash) are applied by the route that knows it:
//
//   co_await rate_limit.check(ctx, config::RateLimitRule::Key::phone, phone_hash);
//
// A route group may have its own clients with limits of their own (the Etherscan API's
// keys): a resolver registered for the group names the client and its rules, which then
// replace the group's ip rules for that request; a request it names no client for gets the
// configured rules. The resolver throws ApiError to refuse a request (an unknown key).
//
//   rate_limit.resolve_clients("etherscan", [&keys](http::RequestContext& ctx) {
//     return keys.limits_of(ctx);   // awaitable<optional<ClientLimits>>
//   });
#pragma once

#include "cache/rate_limiter.hpp"
#include "config/settings.hpp"
#include "http/middleware.hpp"
#include "metrics/prometheus_writer.hpp"
#include "util/per_thread.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace pend::middleware {

// The first refusal of a key in a window, for the security record.
struct RateLimitRefusal {
  const config::RateLimitRule& rule;
  std::string_view key;  // an address, a user id or a phone hash: never the number
  bool decided_locally = false;
};
// A client a group's resolver recognised and the rules it is held to.
struct ClientLimits {
  std::string key;  // who is limited, as the counters' keys say it ("key:{id}")
  std::shared_ptr<const std::vector<config::RateLimitRule>> rules;  // kept alive for the check
};
using ClientResolver =
    std::function<boost::asio::awaitable<std::optional<ClientLimits>>(http::RequestContext&)>;

using RefusalRecorder =
    std::function<void(const boost::asio::any_io_executor& loop, const http::RequestContext& ctx,
                       const RateLimitRefusal& refusal)>;

class RateLimit final : public http::Middleware {
 public:
  // Throws std::invalid_argument on a rule the loader would have refused.
  RateLimit(const config::RateLimitSettings& settings, cache::RateLimiter& limiter,
            RefusalRecorder record_refusal = {});

  // The rules of the route's group keyed on `key` applied to value, with the same headers,
  // counters and refusal as the middleware's own (ApiError 429).
  boost::asio::awaitable<void> check(http::RequestContext& ctx, config::RateLimitRule::Key key,
                                     std::string_view value);
  // One rule of the caller's own applied to key, with the same headers, counters and refusal.
  boost::asio::awaitable<void> check(http::RequestContext& ctx, const config::RateLimitRule& rule,
                                     std::string_view key);

  // The resolver of a group's clients. Called before the server starts (not thread-safe).
  void resolve_clients(std::string group, ClientResolver resolver);

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
    std::atomic<std::uint64_t> client_refused{0};     // by a rule of a resolver's or caller's
  };
  std::string_view group_of(const http::RequestContext& ctx) const;
  bool applied_here(const config::RateLimitRule& rule) const;
  const ClientResolver* resolver_of(std::string_view group) const;
  // Checks the given rules (indexes into rules_, or kOwnRule) with their keys, sets the
  // headers, throws 429.
  static constexpr std::size_t kOwnRule = static_cast<std::size_t>(-1);
  boost::asio::awaitable<void> apply(http::RequestContext& ctx,
                                     std::vector<cache::RateCheck>& checks,
                                     const std::vector<std::size_t>& rule_index);

  bool enabled_;
  std::vector<config::RateLimitRule> rules_;
  cache::RateLimiter& limiter_;
  RefusalRecorder record_refusal_;
  std::vector<std::pair<std::string, ClientResolver>> resolvers_;
  util::PerThread<Counters> counters_;
};

}  // namespace pend::middleware
