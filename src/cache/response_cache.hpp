// ResponseCache: middleware that serves the 200 responses of cached GET routes (those whose
// RouteOptions name a CacheTier) from Redis, keyed by the plan's api:{METHOD}:{endpoint}:
// {md5(params)}. A hit is answered without the handler, with X-Cache: HIT and Age; a miss
// runs the handler once per key in this process however many requests miss together
// (single flight), stores a 200 with the tier's TTL and answers X-Cache: MISS. Anything but a
// 200 is never stored. With Redis down every request is a miss, still single-flighted, and
// nothing is stored; it recovers by itself when Redis is back.
#pragma once

#include "cache/cache_service.hpp"
#include "cache/single_flight.hpp"
#include "http/middleware.hpp"
#include "metrics/prometheus_writer.hpp"
#include "util/per_thread.hpp"

#include <array>
#include <atomic>
#include <string>
#include <unordered_map>
#include <vector>

namespace pend::cache {

class ResponseCache final : public http::Middleware {
 public:
  // route_templates: Router::templates(), for the per-route metrics.
  ResponseCache(CacheService& cache, std::vector<std::string> route_templates);

  std::string_view name() const override { return "response_cache"; }
  bool waits(const http::RequestContext& ctx) const override;
  void before(http::RequestContext&) override {}
  boost::asio::awaitable<void> before_async(http::RequestContext& ctx) override;
  void after(http::RequestContext& ctx) noexcept override;

  void collect(metrics::PrometheusWriter& out) const;
  std::size_t flights() const { return flights_.in_flight(); }

 private:
  enum Outcome : std::size_t { kHit, kMiss, kCoalesced, kUnavailable, kOverBudget, kOutcomes };
  // The keys a route has stored from this shard and when each expires.
  using KeyBudget = std::unordered_map<std::string, std::chrono::steady_clock::time_point>;
  struct Counters {
    explicit Counters(std::size_t routes) : by_route(routes), budgets(routes) {}
    std::vector<std::array<std::atomic<std::uint64_t>, kOutcomes>> by_route;
    std::atomic<std::uint64_t> stores{0}, store_failures{0};
    std::vector<KeyBudget> budgets;  // the shard's own: touched on its thread only
  };
  struct Lead;

  void count(const http::RequestContext& ctx, Outcome outcome);
  void serve(http::RequestContext& ctx, std::string_view body, std::string_view content_type);
  // Whether key may be stored for the route (a live key, or room for one more).
  bool within_budget(const http::RequestContext& ctx, const std::string& key,
                     std::chrono::seconds ttl);

  CacheService& cache_;
  std::vector<std::string> routes_;
  SingleFlight flights_;
  util::PerThread<Counters> counters_;
};

}  // namespace pend::cache
