#include "middleware/rate_limit.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "logging/logger.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>

#include <stdexcept>

namespace pend::middleware {

namespace asio = boost::asio;
using config::RateLimitRule;

namespace {

std::int64_t ceil_seconds(std::chrono::milliseconds ms) { return (ms.count() + 999) / 1000; }

void bump(std::atomic<std::uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

RateLimit::RateLimit(const config::RateLimitSettings& settings, cache::RateLimiter& limiter,
                     RefusalRecorder record_refusal)
    : enabled_(settings.enabled),
      limiter_(limiter),
      record_refusal_(std::move(record_refusal)),
      counters_([this] { return std::make_unique<Counters>(rules_.size()); }) {
  for (const auto& text : settings.rules) {
    std::string error;
    auto rule = config::parse_rate_limit_rule(text, &error);
    if (!rule) throw std::invalid_argument("rate_limit.rules " + error);
    rules_.push_back(std::move(*rule));
  }
}

std::string_view RateLimit::group_of(const http::RequestContext& ctx) const {
  return ctx.match.route != nullptr ? ctx.match.route->options.group : std::string_view{"api"};
}

// The middleware's own keys: the client address and the signed-in principal.
bool RateLimit::applied_here(const RateLimitRule& rule) const {
  return rule.key == RateLimitRule::Key::ip || rule.key == RateLimitRule::Key::user;
}

void RateLimit::resolve_clients(std::string group, ClientResolver resolver) {
  resolvers_.emplace_back(std::move(group), std::move(resolver));
}

const ClientResolver* RateLimit::resolver_of(std::string_view group) const {
  for (const auto& [name, resolver] : resolvers_) {
    if (name == group) return &resolver;
  }
  return nullptr;
}

bool RateLimit::waits(const http::RequestContext& ctx) const {
  if (ctx.match.route != nullptr && !ctx.match.route->options.rate_limited) return false;
  const auto group = group_of(ctx);
  if (resolver_of(group) != nullptr) return true;  // its clients are told apart either way
  if (!enabled_) return false;
  for (const auto& rule : rules_) {
    if (applied_here(rule) && rule.applies_to(group)) return true;
  }
  return false;
}

asio::awaitable<void> RateLimit::before_async(http::RequestContext& ctx) {
  const auto group = group_of(ctx);
  std::vector<cache::RateCheck> checks;
  std::vector<std::size_t> rule_index;
  std::optional<ClientLimits> client;
  if (const auto* resolver = resolver_of(group)) client = co_await (*resolver)(ctx);
  if (!enabled_) co_return;
  if (client) {
    for (const auto& rule : *client->rules) {
      checks.push_back({&rule, client->key, {}});
      rule_index.push_back(kOwnRule);
    }
  }
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& rule = rules_[i];
    if (!applied_here(rule) || !rule.applies_to(group)) continue;
    std::string key;
    if (rule.key == RateLimitRule::Key::ip) {
      if (client) continue;  // the client's own rules stand in for the address's
      key = ctx.client_address.to_string();
    } else if (ctx.auth == http::AuthState::valid) {
      key = ctx.principal.id;
    }
    if (key.empty()) continue;  // the rule does not concern this request
    checks.push_back({&rule, std::move(key), {}});
    rule_index.push_back(i);
  }
  co_await apply(ctx, checks, rule_index);
}

asio::awaitable<void> RateLimit::check(http::RequestContext& ctx, RateLimitRule::Key key,
                                       std::string_view value) {
  if (!enabled_ || value.empty()) co_return;
  const auto group = group_of(ctx);
  std::vector<cache::RateCheck> checks;
  std::vector<std::size_t> rule_index;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].key != key || !rules_[i].applies_to(group)) continue;
    checks.push_back({&rules_[i], std::string{value}, {}});
    rule_index.push_back(i);
  }
  co_await apply(ctx, checks, rule_index);
}

asio::awaitable<void> RateLimit::check(http::RequestContext& ctx, const RateLimitRule& rule,
                                       std::string_view key) {
  if (!enabled_ || key.empty()) co_return;
  std::vector<cache::RateCheck> checks{{&rule, std::string{key}, {}}};
  const std::vector<std::size_t> rule_index{kOwnRule};
  co_await apply(ctx, checks, rule_index);
}

asio::awaitable<void> RateLimit::apply(http::RequestContext& ctx,
                                       std::vector<cache::RateCheck>& checks,
                                       const std::vector<std::size_t>& rule_index) {
  if (checks.empty()) co_return;
  co_await limiter_.check(checks);
  const auto loop = co_await asio::this_coro::executor;

  // The headers describe the tightest rule; a refusal names the one that refused longest.
  const cache::RateCheck* tightest = &checks.front();
  const cache::RateCheck* refusing = nullptr;
  auto& counters = counters_.local();
  for (std::size_t c = 0; c < checks.size(); ++c) {
    const auto& check = checks[c];
    const bool own = rule_index[c] == kOwnRule;
    if (check.decision.local && !own) bump(counters.local[rule_index[c]]);
    if (check.decision.remaining < tightest->decision.remaining) tightest = &check;
    if (check.decision.allowed) continue;
    bump(own ? counters.client_refused : counters.refused[rule_index[c]]);
    if (refusing == nullptr || check.decision.reset > refusing->decision.reset) refusing = &check;
    if (check.decision.first_refusal) {
      logging::warn("SECURITY", "SECURITY_RATE_LIMIT_EXCEEDED", "rate limit exceeded",
                    {{"rule", check.rule->name},
                     {"ip_address", ctx.client_address.to_string()},
                     {"endpoint", ctx.route_name()},
                     {"request_id", ctx.request_id}});
      if (record_refusal_) {
        record_refusal_(loop, ctx, {*check.rule, check.key, check.decision.local});
      }
    }
  }
  const auto& shown = refusing != nullptr ? *refusing : *tightest;
  ctx.response.set("RateLimit-Limit", std::to_string(shown.rule->limit));
  ctx.response.set("RateLimit-Remaining", std::to_string(shown.decision.remaining));
  ctx.response.set("RateLimit-Reset", std::to_string(ceil_seconds(shown.decision.reset)));
  if (refusing != nullptr) {
    const auto& rule = *refusing->rule;
    http::ApiError error{
        429,
        "rate_limited",
        "too many requests; retry after the time given",
        {boost::json::object{
            {"rule", rule.name}, {"limit", rule.limit}, {"window_seconds", rule.window.count()}}}};
    error.with_header("Retry-After", std::to_string(std::max<std::int64_t>(
                                         1, ceil_seconds(refusing->decision.reset))));
    throw error;
  }
}

void RateLimit::collect(metrics::PrometheusWriter& out) const {
  std::vector<std::uint64_t> refused(rules_.size()), local(rules_.size());
  std::uint64_t client_refused = 0;
  counters_.for_each([&](const Counters& c) {
    client_refused += c.client_refused.load();
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      refused[i] += c.refused[i].load();
      local[i] += c.local[i].load();
    }
  });
  out.family("pend_rate_limit_refusals_total", "counter", "Requests refused (429), by rule.");
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    out.sample("pend_rate_limit_refusals_total", {{"rule", rules_[i].name}}, refused[i]);
  }
  // The rules of a group's clients (API keys) and of callers' own checks, together.
  out.sample("pend_rate_limit_refusals_total", {{"rule", "client"}}, client_refused);
  out.family("pend_rate_limit_local_decisions_total", "counter",
             "Checks decided by the in-memory fallback because Redis could not be asked.");
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    out.sample("pend_rate_limit_local_decisions_total", {{"rule", rules_[i].name}}, local[i]);
  }
}

}  // namespace pend::middleware
