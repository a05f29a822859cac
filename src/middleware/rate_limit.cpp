#include "middleware/rate_limit.hpp"

#include "domain/security/repository.hpp"
#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "logging/logger.hpp"
#include "security/digest.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

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

std::string phone_key(const http::RequestContext& ctx) {
  // Rate limiting runs before the body parser (a flood of malformed bodies is limited too),
  // so the body is read here; only for requests a phone rule applies to.
  boost::json::value parsed;
  if (ctx.body.is_null() && !ctx.request.body().empty()) {
    boost::system::error_code ec;
    parsed = boost::json::parse(ctx.request.body(), ec);
    if (ec) return {};
  }
  const auto* body = ctx.body.is_null() ? parsed.if_object() : ctx.body.if_object();
  if (body == nullptr) return {};
  const boost::json::value* phone = body->if_contains("phone");
  if (phone == nullptr) phone = body->if_contains("phone_number");
  if (phone == nullptr || !phone->is_string()) return {};
  // Digits only (and a leading +): "+1 (555) 010-9999" and "+15550109999" are one key.
  std::string digits;
  for (const char c : phone->get_string()) {
    if ((c >= '0' && c <= '9') || (c == '+' && digits.empty())) digits += c;
  }
  if (digits.size() < 4) return {};
  return security::sha256_hex(digits).substr(0, 32);
}

RateLimit::RateLimit(const config::RateLimitSettings& settings, cache::RateLimiter& limiter,
                     db::Database& database)
    : enabled_(settings.enabled),
      limiter_(limiter),
      database_(database),
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

bool RateLimit::waits(const http::RequestContext& ctx) const {
  if (!enabled_ || rules_.empty()) return false;
  if (ctx.match.route != nullptr && !ctx.match.route->options.rate_limited) return false;
  const auto group = group_of(ctx);
  for (const auto& rule : rules_) {
    if (rule.applies_to(group)) return true;
  }
  return false;
}

asio::awaitable<void> RateLimit::before_async(http::RequestContext& ctx) {
  const auto group = group_of(ctx);
  std::vector<cache::RateCheck> checks;
  std::vector<std::size_t> rule_index;
  std::string phone;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& rule = rules_[i];
    if (!rule.applies_to(group)) continue;
    std::string key;
    switch (rule.key) {
      case RateLimitRule::Key::ip:
        key = ctx.client_address.to_string();
        break;
      case RateLimitRule::Key::user:
        if (ctx.auth == http::AuthState::valid) key = ctx.principal.id;
        break;
      case RateLimitRule::Key::phone:
        if (phone.empty()) phone = phone_key(ctx);
        key = phone;
        break;
    }
    if (key.empty()) continue;  // the rule does not concern this request
    checks.push_back({&rule, std::move(key), {}});
    rule_index.push_back(i);
  }
  if (checks.empty()) co_return;
  co_await limiter_.check(checks);
  const auto loop = co_await asio::this_coro::executor;

  // The headers describe the tightest rule; a refusal names the one that refused longest.
  const cache::RateCheck* tightest = &checks.front();
  const cache::RateCheck* refusing = nullptr;
  auto& counters = counters_.local();
  for (std::size_t c = 0; c < checks.size(); ++c) {
    const auto& check = checks[c];
    if (check.decision.local) bump(counters.local[rule_index[c]]);
    if (check.decision.remaining < tightest->decision.remaining) tightest = &check;
    if (check.decision.allowed) continue;
    bump(counters.refused[rule_index[c]]);
    if (refusing == nullptr || check.decision.reset > refusing->decision.reset) refusing = &check;
    if (check.decision.first_refusal) {
      const auto& rule = *check.rule;
      boost::json::object indicators{{"rule", rule.name},
                                     {"key_type", config::to_string(rule.key)},
                                     {"limit", rule.limit},
                                     {"window_seconds", rule.window.count()},
                                     {"decided_by", check.decision.local ? "local" : "redis"}};
      if (rule.key == RateLimitRule::Key::phone) indicators["phone_hash"] = check.key;
      logging::warn("SECURITY", "SECURITY_RATE_LIMIT_EXCEEDED", "rate limit exceeded",
                    {{"rule", rule.name},
                     {"ip_address", ctx.client_address.to_string()},
                     {"endpoint", ctx.route_name()},
                     {"request_id", ctx.request_id}});
      domain::security::SecurityEvent event;
      event.event_type = "rate_limit_exceeded";
      event.severity = rule.severity;
      if (ctx.auth == http::AuthState::valid) event.user_id = ctx.principal.id;
      event.ip_address = ctx.client_address.to_string();
      event.user_agent = ctx.request[boost::beast::http::field::user_agent].substr(0, 512);
      event.endpoint = ctx.route_name();
      event.threat_indicators = std::move(indicators);
      event.automatic_action = "rate_limited";
      domain::security::record_security_event(loop, database_, std::move(event));
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
  counters_.for_each([&](const Counters& c) {
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      refused[i] += c.refused[i].load();
      local[i] += c.local[i].load();
    }
  });
  out.family("pend_rate_limit_refusals_total", "counter", "Requests refused (429), by rule.");
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    out.sample("pend_rate_limit_refusals_total", {{"rule", rules_[i].name}}, refused[i]);
  }
  out.family("pend_rate_limit_local_decisions_total", "counter",
             "Checks decided by the in-memory fallback because Redis could not be asked.");
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    out.sample("pend_rate_limit_local_decisions_total", {{"rule", rules_[i].name}}, local[i]);
  }
}

}  // namespace pend::middleware
