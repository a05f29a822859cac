#include "domain/explorer/api_keys.hpp"

#include "db/request_scope.hpp"
#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "security/digest.hpp"
#include "security/random.hpp"

#include <boost/url/parse_query.hpp>

namespace pend::domain::explorer {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::size_t kMaxRemembered = 10'000;  // per shard; all forgotten past it

// The lookup is also the key's use: last_used_at moves at most once per kRemember a shard.
constexpr db::Statement kUse{
    "api_keys.use",
    "UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND status = 'active' "
    "RETURNING id::text, per_second, per_day"};

}  // namespace

std::string ApiKeys::key_in(std::string_view query) {
  if (query.find("apikey") == std::string_view::npos) return {};
  const std::string text{query};  // Boost.URL 1.81 reads past a view's end
  const auto parsed = boost::urls::parse_query(text);
  if (!parsed) return {};
  std::string key;
  for (const auto& param : *parsed) {
    if (param.key.decode() == "apikey" && param.has_value) key = param.value.decode();
  }
  return key;
}

namespace {

config::RateLimitRule rule(std::string name, std::uint32_t limit, std::chrono::seconds window) {
  return {.name = std::move(name),
          .groups = {"etherscan"},
          .key = config::RateLimitRule::Key::ip,
          .limit = limit,
          .window = window,
          .severity = "medium"};
}

}  // namespace

ApiKeys::ApiKeys(db::Database& database, middleware::RateLimit& rate_limit,
                 const util::Clock& clock)
    : database_(database),
      rate_limit_(rate_limit),
      clock_(clock),
      invalid_attempts_(rule("etherscan-invalid-key", 5, std::chrono::seconds{30})),
      memory_([] { return std::make_unique<Memory>(); }) {}

std::string ApiKeys::generate() { return security::random_string(kAlphabet, kKeyLength); }
std::string ApiKeys::hash(std::string_view key) { return security::sha256_hex(key); }
std::string ApiKeys::prefix(std::string_view key) { return std::string{key.substr(0, 6)}; }

asio::awaitable<std::optional<middleware::ClientLimits>> ApiKeys::limits_of(
    http::RequestContext& ctx) {
  const std::string key = key_in(ctx.query);
  if (key.empty()) co_return std::nullopt;  // anonymous: the group's configured rules
  if (key.size() == kKeyLength) {           // (GCC 12: no co_await inside ?:)
    const std::string key_hash = hash(key);
    auto limits = co_await look_up(ctx, key_hash);
    if (limits) co_return limits;
  }
  try {
    co_await rate_limit_.check(ctx, invalid_attempts_, ctx.client_address.to_string());
  } catch (const http::ApiError&) {
    throw http::ApiError{429, "invalid_key_attempts",
                         "Too many invalid api key attempts, please try again later"};
  }
  throw http::ApiError{401, "invalid_api_key", "Invalid API Key"};
}

asio::awaitable<std::optional<middleware::ClientLimits>> ApiKeys::look_up(
    http::RequestContext& ctx, const std::string& key_hash) {
  const auto now = clock_.now();
  {
    auto& memory = memory_.local();
    const auto found = memory.find(key_hash);
    if (found != memory.end() && found->second.until > now) co_return found->second.limits;
  }
  const auto rows = co_await database_.query(kUse, db::request_scope(ctx), key_hash);
  std::optional<middleware::ClientLimits> limits;
  if (!rows.empty()) {
    const auto& row = rows[0];
    auto rules = std::make_shared<std::vector<config::RateLimitRule>>();
    rules->push_back(rule("api-key-second", static_cast<std::uint32_t>(row.get<std::int64_t>(1)),
                          std::chrono::seconds{1}));
    if (!row.is_null(2)) {
      rules->push_back(rule("api-key-day", static_cast<std::uint32_t>(row.get<std::int64_t>(2)),
                            std::chrono::seconds{86'400}));
    }
    limits = middleware::ClientLimits{.key = "key:" + row.get<std::string>(0),
                                      .rules = std::move(rules)};
  }
  auto& memory = memory_.local();  // the same shard: the coroutine resumes on its loop
  if (memory.size() >= kMaxRemembered) memory.clear();
  memory[key_hash] = {limits, now + kRemember};
  co_return limits;
}

}  // namespace pend::domain::explorer
