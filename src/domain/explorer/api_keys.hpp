// ApiKeys: the Etherscan API's keys (table api_keys, migration 014). The rate-limit
// middleware asks it who calls each request of group etherscan: no apikey, and the caller is
// anonymous (the configured rate_limit.rules of the group, per address); a known active key,
// and its own limits apply instead (per_second, and per_day when set); any other apikey is
// refused with Etherscan's "Invalid API Key", and after 5 such refusals in 30 s from one
// address with "Too many invalid api key attempts, please try again later".
//
// A key is 32 characters of A-Z and 0-9, shown once when an admin makes it and stored as its
// SHA-256. Each shard remembers what it looked up for kRemember, so a revoked or changed key
// takes effect on every instance within that time; each lookup also sets last_used_at.
//
//   ApiKeys keys(deps.database, deps.rate_limit, deps.clock);
//   deps.rate_limit.resolve_clients("etherscan", [&](auto& ctx) { return keys.limits_of(ctx); });
#pragma once

#include "config/rate_limit_rule.hpp"
#include "db/database.hpp"
#include "middleware/rate_limit.hpp"
#include "util/clock.hpp"
#include "util/per_thread.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <unordered_map>

namespace pend::domain::explorer {

class ApiKeys {
 public:
  static constexpr std::chrono::seconds kRemember{10};
  static constexpr std::size_t kKeyLength = 32;

  ApiKeys(db::Database& database, middleware::RateLimit& rate_limit, const util::Clock& clock);

  // The limits of the request's apikey; nullopt when it names none.
  boost::asio::awaitable<std::optional<middleware::ClientLimits>> limits_of(
      http::RequestContext& ctx);

  // The apikey parameter of a query string (the last one given), or empty. A malformed
  // query names none: the handler refuses it.
  static std::string key_in(std::string_view query);
  static std::string generate();                    // a new key
  static std::string hash(std::string_view key);    // what api_keys.key_hash holds
  static std::string prefix(std::string_view key);  // what api_keys.key_prefix holds

 private:
  struct Remembered {
    std::optional<middleware::ClientLimits> limits;  // empty: not an active key
    util::Clock::time_point until;
  };
  using Memory = std::unordered_map<std::string, Remembered>;  // by key hash

  boost::asio::awaitable<std::optional<middleware::ClientLimits>> look_up(
      http::RequestContext& ctx, const std::string& key_hash);

  db::Database& database_;
  middleware::RateLimit& rate_limit_;
  const util::Clock& clock_;
  config::RateLimitRule invalid_attempts_;
  util::PerThread<Memory> memory_;
};

}  // namespace pend::domain::explorer
