#include "cache/response_cache.hpp"

#include "cache/redis_error.hpp"
#include "http/request_context.hpp"
#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

namespace pend::cache {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

// The state a leading request carries (in ctx.cache_flight) from before to after. If the
// request dies without reaching after(), the destructor still releases the followers.
struct ResponseCache::Lead {
  Lead(ResponseCache& owner, std::string key, std::shared_ptr<Flight> flight,
       asio::any_io_executor executor, std::chrono::seconds ttl)
      : owner(owner),
        key(std::move(key)),
        flight(std::move(flight)),
        executor(std::move(executor)),
        ttl(ttl) {}
  ~Lead() {
    if (flight) {
      SingleFlight::publish(*flight, nullptr);
      owner.flights_.forget(key, flight);
    }
  }
  Lead(const Lead&) = delete;
  Lead& operator=(const Lead&) = delete;

  ResponseCache& owner;
  std::string key;
  std::shared_ptr<Flight> flight;
  asio::any_io_executor executor;
  std::chrono::seconds ttl;
};

ResponseCache::ResponseCache(CacheService& cache, std::vector<std::string> route_templates)
    : cache_(cache),
      routes_(std::move(route_templates)),
      counters_([size = routes_.size() + 1] { return std::make_unique<Counters>(size); }) {}

bool ResponseCache::waits(const http::RequestContext& ctx) const {
  return cache_.settings().enabled && ctx.match.route != nullptr &&
         ctx.match.route->options.cache != http::CacheTier::none &&
         (ctx.method == http::Method::get || ctx.method == http::Method::head);
}

void ResponseCache::count(const http::RequestContext& ctx, Outcome outcome) {
  auto& slot = counters_.local().by_route;
  const auto route = std::min(ctx.match.template_id, slot.size() - 1);
  auto& counter = slot[route][outcome];
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void ResponseCache::serve(http::RequestContext& ctx, std::string_view body,
                          std::string_view content_type) {
  ctx.response.result(beast_http::status::ok);
  ctx.response.set(beast_http::field::content_type, content_type);
  ctx.response.body().assign(body);
  ctx.answered = true;
}

asio::awaitable<void> ResponseCache::before_async(http::RequestContext& ctx) {
  // HEAD shares GET's entry: the same headers, no body.
  std::string key = api_key("GET", ctx.path, ctx.query, ctx.match.route->options.credential_param);
  if (ctx.match.route->options.cache == http::CacheTier::chain) {
    key += ":e";
    key += std::to_string(cache_.chain_epoch());
  }
  std::optional<CachedResponse> hit;
  try {
    hit = co_await cache_.get_response(key);
  } catch (const RedisError&) {
    count(ctx, kUnavailable);  // degrade: a miss (the store will fail too, quietly)
  }
  if (hit) {
    count(ctx, kHit);
    ctx.cache = http::CacheOutcome::hit;
    serve(ctx, hit->data, hit->content_type);
    ctx.response.set("X-Cache", "HIT");
    ctx.response.set(
        beast_http::field::age,
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(hit->age).count()));
    co_return;
  }
  ctx.cache = http::CacheOutcome::miss;

  auto ticket = flights_.join(key);
  if (!ticket.leader) {
    auto shared = co_await SingleFlight::wait(*ticket.flight);
    if (shared) {
      count(ctx, kCoalesced);
      ctx.cache = http::CacheOutcome::coalesced;
      serve(ctx, shared->body, shared->content_type);
      co_return;
    }
    count(ctx, kMiss);  // the leader got no 200: this request runs the handler itself
    co_return;
  }
  count(ctx, kMiss);
  auto executor = co_await asio::this_coro::executor;
  ctx.cache_flight =
      std::make_shared<Lead>(*this, std::move(key), std::move(ticket.flight), std::move(executor),
                             cache_.ttl(ctx.match.route->options.cache));
}

void ResponseCache::after(http::RequestContext& ctx) noexcept {
  const bool ok = ctx.response.result_int() == 200;
  if (ok && (ctx.cache == http::CacheOutcome::miss || ctx.cache == http::CacheOutcome::coalesced)) {
    ctx.response.set("X-Cache", "MISS");
  }
  auto lead = std::static_pointer_cast<Lead>(std::move(ctx.cache_flight));
  if (!lead) return;
  if (!ok) return;  // never cached; ~Lead releases the followers
  if (ctx.cache_final && ctx.match.route->options.cache == http::CacheTier::chain) {
    lead->ttl = cache_.ttl(http::CacheTier::long_ttl);
  }
  try {
    if (!within_budget(ctx, lead->key, lead->ttl)) {
      // Served to everyone waiting, not stored: ~Lead releases the followers with it.
      SingleFlight::publish(
          *lead->flight,
          std::make_shared<const SharedResponse>(SharedResponse{
              ctx.response.body(), std::string{ctx.response[beast_http::field::content_type]}}));
      count(ctx, kOverBudget);
      return;
    }
    auto shared = std::make_shared<const SharedResponse>(SharedResponse{
        ctx.response.body(), std::string{ctx.response[beast_http::field::content_type]}});
    SingleFlight::publish(*lead->flight, shared);
    // Stored after the response is on its way; the flight stays open until the entry is in
    // Redis, so requests arriving meanwhile still share this result.
    auto executor = lead->executor;
    asio::co_spawn(
        executor,
        [this, lead = std::move(lead), shared]() -> asio::awaitable<void> {
          try {
            co_await cache_.put_response(lead->key, shared->body, shared->content_type, lead->ttl);
            counters_.local().stores.fetch_add(1, std::memory_order_relaxed);
          } catch (const std::exception&) {
            counters_.local().store_failures.fetch_add(1, std::memory_order_relaxed);
          }
        },
        logging::rethrow_unhandled);
  } catch (const std::exception& error) {
    logging::warn("API", "CACHE_STORE_FAILED", error.what(), {{"endpoint", ctx.route_name()}});
  }
}

bool ResponseCache::within_budget(const http::RequestContext& ctx, const std::string& key,
                                  std::chrono::seconds ttl) {
  auto& budgets = counters_.local().budgets;
  auto& budget = budgets[std::min(ctx.match.template_id, budgets.size() - 1)];
  const auto now = std::chrono::steady_clock::now();
  if (const auto it = budget.find(key); it != budget.end()) {
    it->second = now + ttl;
    return true;
  }
  if (budget.size() >= cache_.settings().max_keys_per_route) {
    std::erase_if(budget, [now](const auto& entry) { return entry.second <= now; });
    if (budget.size() >= cache_.settings().max_keys_per_route) return false;
  }
  budget.emplace(key, now + ttl);
  return true;
}

void ResponseCache::collect(metrics::PrometheusWriter& out) const {
  std::vector<std::array<std::uint64_t, kOutcomes>> sums(routes_.size() + 1);
  std::uint64_t stores = 0, store_failures = 0;
  counters_.for_each([&](const Counters& c) {
    for (std::size_t r = 0; r < sums.size(); ++r) {
      for (std::size_t o = 0; o < kOutcomes; ++o) sums[r][o] += c.by_route[r][o].load();
    }
    stores += c.stores.load();
    store_failures += c.store_failures.load();
  });
  static constexpr std::array<std::string_view, kOutcomes> kNames{"hit", "miss", "coalesced",
                                                                  "unavailable", "over_budget"};
  auto route_name = [&](std::size_t r) {
    return r < routes_.size() ? std::string_view{routes_[r]} : std::string_view{"unmatched"};
  };
  out.family("pend_cache_requests_total", "counter",
             "Requests to cached routes by outcome: hit, miss (the handler ran) or coalesced "
             "(served the result of a concurrent miss for the same key).");
  for (std::size_t r = 0; r < sums.size(); ++r) {
    for (std::size_t o = kHit; o <= kCoalesced; ++o) {
      if (sums[r][o] == 0) continue;
      out.sample("pend_cache_requests_total", {{"route", route_name(r)}, {"result", kNames[o]}},
                 sums[r][o]);
    }
  }
  out.family("pend_cache_lookup_failures_total", "counter",
             "Cache lookups that could not ask Redis (down or timed out); served as misses.");
  for (std::size_t r = 0; r < sums.size(); ++r) {
    if (sums[r][kUnavailable] == 0) continue;
    out.sample("pend_cache_lookup_failures_total", {{"route", route_name(r)}},
               sums[r][kUnavailable]);
  }
  out.family("pend_cache_key_budget_refusals_total", "counter",
             "Responses not stored because their route had cache.max_keys_per_route live keys.");
  for (std::size_t r = 0; r < sums.size(); ++r) {
    if (sums[r][kOverBudget] == 0) continue;
    out.sample("pend_cache_key_budget_refusals_total", {{"route", route_name(r)}},
               sums[r][kOverBudget]);
  }
  out.family("pend_cache_stores_total", "counter",
             "Responses written to the cache, and writes that failed (Redis down).");
  out.sample("pend_cache_stores_total", {{"result", "ok"}}, stores);
  out.sample("pend_cache_stores_total", {{"result", "failed"}}, store_failures);
}

}  // namespace pend::cache
