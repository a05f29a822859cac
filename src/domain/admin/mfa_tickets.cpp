#include "domain/admin/mfa_tickets.hpp"

#include "cache/redis_error.hpp"
#include "cache/session_store.hpp"
#include "security/digest.hpp"
#include "util/enum_name.hpp"

namespace pend::domain::admin {

namespace asio = boost::asio;

namespace {

std::string key_of(std::string_view token) { return "admin_mfa:" + security::sha256_hex(token); }

// KEYS[1] admin_mfa:{id}; ARGV max attempts.
const cache::Script kAttempt{R"lua(
local f = redis.call('HMGET', KEYS[1], 'admin_id', 'step')
if not f[1] then return false end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return false
end
return {f[1], f[2], attempts}
)lua"};

}  // namespace

asio::awaitable<std::string> MfaTickets::issue(std::string_view admin_id, MfaStep step,
                                               std::chrono::seconds ttl) {
  std::string token = security::random_token(32);
  cache::Pipeline write;
  const std::string key = key_of(token);
  write.add("HSET", key, "admin_id", admin_id, "step", util::enum_name(step), "attempts", 0)
      .add("EXPIRE", key, ttl.count());
  const auto replies = co_await redis_.pipeline(write);
  for (const auto& reply : replies) {
    if (reply.is_error()) {
      throw cache::RedisError(cache::RedisError::Kind::reply,
                              "Redis: the sign-in could not be kept");
    }
  }
  co_return token;
}

asio::awaitable<std::optional<MfaTicket>> MfaTickets::attempt(std::string_view token,
                                                              int max_attempts) {
  if (!cache::is_session_token(token)) co_return std::nullopt;  // not one of ours
  const auto reply = co_await redis_.eval(kAttempt, 1, key_of(token), max_attempts);
  if (reply.is_nil() || reply.size() != 3) co_return std::nullopt;
  const auto step = util::enum_from_name<MfaStep>(reply[1].text());
  if (!step) co_return std::nullopt;
  co_return MfaTicket{.admin_id = std::string{reply[0].text()},
                      .step = *step,
                      .attempts = static_cast<int>(reply[2].integer().value_or(0))};
}

asio::awaitable<void> MfaTickets::remove(std::string_view token) {
  co_await redis_.command("DEL", key_of(token));
}

}  // namespace pend::domain::admin
