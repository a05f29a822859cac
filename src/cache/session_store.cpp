#include "cache/session_store.hpp"

#include "cache/redis_error.hpp"
#include "security/digest.hpp"
#include "util/enum_name.hpp"

#include <algorithm>

namespace pend::cache {

namespace asio = boost::asio;
using http::Principal;

namespace {

constexpr std::size_t kTokenLength = 43;  // 32 bytes, base64url without padding
constexpr std::size_t kUserAgentLimit = 512;
// last_accessed is written at most this often per session: a burst of requests costs one
// write, and the idle timeout stays exact to the second.
constexpr std::int64_t kTouchEveryMs = 1'000;

// KEYS[1] session:{id}; ARGV id, now_ms, idle_ms (for sessions without their own), touch_every_ms.
// The index key is derived from the session's own fields (standalone Redis, not Cluster).
const Script kResolve{R"lua(
local f = redis.call('HMGET', KEYS[1], 'kind', 'user_id', 'admin_id', 'created_at',
                     'last_accessed', 'expires_at', 'ip_address', 'user_agent', 'idle')
if not f[1] then return false end
local principal = f[2] or f[3]
local now = tonumber(ARGV[2])
local idle = tonumber(f[9]) or tonumber(ARGV[3])
local last = tonumber(f[5])
local expires = tonumber(f[6])
if (not principal) or (not last) or (not expires) or now >= expires or now - last >= idle then
  redis.call('DEL', KEYS[1])
  if principal then redis.call('SREM', 'sessions:' .. f[1] .. ':' .. principal, ARGV[1]) end
  return false
end
local last_text = f[5]
if now - last >= tonumber(ARGV[4]) then
  last_text = ARGV[2]
  redis.call('HSET', KEYS[1], 'last_accessed', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], math.min(idle, expires - now))
end
return {f[1], principal, f[4], last_text, f[6], f[7] or '', f[8] or ''}
)lua"};

// KEYS[1] session:{id}; ARGV id, owner kind ('' for any), owner id.
const Script kRevoke{R"lua(
local f = redis.call('HMGET', KEYS[1], 'kind', 'user_id', 'admin_id')
if not f[1] then return 0 end
local principal = f[2] or f[3]
if ARGV[2] ~= '' and (ARGV[2] ~= f[1] or ARGV[3] ~= principal) then return 0 end
redis.call('DEL', KEYS[1])
if principal then redis.call('SREM', 'sessions:' .. f[1] .. ':' .. principal, ARGV[1]) end
return 1
)lua"};

// KEYS[1] sessions:{kind}:{principal}; ARGV the id to keep ('' for none).
const Script kRevokeAll{R"lua(
local ids = redis.call('SMEMBERS', KEYS[1])
local ended = 0
for _, id in ipairs(ids) do
  if id ~= ARGV[1] then
    ended = ended + redis.call('DEL', 'session:' .. id)
    redis.call('SREM', KEYS[1], id)
  end
end
return ended
)lua"};

std::string session_key(std::string_view id) { return "session:" + std::string{id}; }

std::string index_key(Principal::Kind kind, std::string_view principal_id) {
  return "sessions:" + std::string{to_string(kind)} + ":" + std::string{principal_id};
}

Principal::Kind parse_kind(std::string_view text) {
  return util::enum_from_name<Principal::Kind>(text).value_or(Principal::Kind::none);
}

bool base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string_view to_string(Principal::Kind kind) { return util::enum_name(kind); }

bool is_session_token(std::string_view text) {
  return text.size() == kTokenLength && std::all_of(text.begin(), text.end(), base64url);
}

std::string session_id_for_token(std::string_view token) {
  return is_session_token(token) ? security::sha256_hex(token) : std::string{};
}

SessionStore::SessionStore(Redis& redis, config::SessionSettings settings, const util::Clock& clock)
    : redis_(redis), settings_(settings), clock_(clock) {}

std::int64_t SessionStore::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

asio::awaitable<NewSession> SessionStore::create(Principal::Kind kind,
                                                 std::string_view principal_id,
                                                 std::string_view ip_address,
                                                 std::string_view user_agent) {
  if (kind == Principal::Kind::none || principal_id.empty()) {
    throw std::invalid_argument("a session needs a user or admin id");
  }
  NewSession created;
  created.token = security::random_token(32);
  Session& s = created.session;
  s.id = security::sha256_hex(created.token);
  s.kind = kind;
  s.principal_id = principal_id;
  s.created_at_ms = s.last_accessed_ms = now_ms();
  // Admin sessions have limits of their own; each session carries its idle limit.
  const bool admin = kind == Principal::Kind::admin;
  const std::int64_t absolute_ms =
      (admin ? settings_.admin_absolute_timeout : settings_.absolute_timeout).count() * 1000;
  const std::int64_t idle_ms =
      (admin ? settings_.admin_idle_timeout : settings_.idle_timeout).count() * 1000;
  s.expires_at_ms = s.created_at_ms + absolute_ms;
  s.ip_address = ip_address;
  s.user_agent = user_agent.substr(0, kUserAgentLimit);

  const std::string key = session_key(s.id);
  const std::string index = index_key(kind, principal_id);
  const std::string_view id_field = kind == Principal::Kind::user ? "user_id" : "admin_id";
  Pipeline write;
  write.add("MULTI")
      .add("HSET", key, "kind", to_string(kind), id_field, s.principal_id, "created_at",
           s.created_at_ms, "last_accessed", s.last_accessed_ms, "expires_at", s.expires_at_ms,
           "ip_address", s.ip_address, "user_agent", s.user_agent, "idle", idle_ms)
      .add("PEXPIRE", key, std::min(idle_ms, absolute_ms))
      .add("SADD", index, s.id)
      .add("PEXPIRE", index, absolute_ms)  // outlives every session in it
      .add("EXEC");
  const auto replies = co_await redis_.pipeline(write);
  if (replies.empty() || replies.back().is_nil() || replies.back().is_error()) {
    throw RedisError(RedisError::Kind::reply, "Redis: the session could not be stored");
  }
  co_return created;
}

asio::awaitable<std::optional<Session>> SessionStore::resolve(std::string_view token) {
  const std::string id = session_id_for_token(token);
  if (id.empty()) co_return std::nullopt;
  const std::string key = session_key(id);
  Reply reply = co_await redis_.eval(kResolve, 1, key, id, now_ms(),
                                     settings_.idle_timeout.count() * 1000, kTouchEveryMs);
  if (reply.is_nil() || reply.size() != 7) co_return std::nullopt;
  Session s;
  s.id = id;
  s.kind = parse_kind(reply[0].text());
  s.principal_id = reply[1].text();
  s.created_at_ms = reply[2].integer().value_or(0);
  s.last_accessed_ms = reply[3].integer().value_or(0);
  s.expires_at_ms = reply[4].integer().value_or(0);
  s.ip_address = reply[5].text();
  s.user_agent = reply[6].text();
  if (s.kind == Principal::Kind::none) co_return std::nullopt;
  co_return s;
}

asio::awaitable<bool> SessionStore::revoke(std::string_view id, const Principal* owner) {
  const std::string key = session_key(id);
  const std::string_view owner_kind = owner != nullptr ? to_string(owner->kind) : "";
  const std::string_view owner_id = owner != nullptr ? std::string_view{owner->id} : "";
  Reply ended = co_await redis_.eval(kRevoke, 1, key, id, owner_kind, owner_id);
  co_return ended.integer().value_or(0) == 1;
}

asio::awaitable<std::uint64_t> SessionStore::revoke_all(Principal::Kind kind,
                                                        std::string_view principal_id,
                                                        std::string_view keep) {
  const std::string index = index_key(kind, principal_id);
  Reply ended = co_await redis_.eval(kRevokeAll, 1, index, keep);
  co_return static_cast<std::uint64_t>(ended.integer().value_or(0));
}

asio::awaitable<std::vector<Session>> SessionStore::list(Principal::Kind kind,
                                                         std::string_view principal_id) {
  const std::string index = index_key(kind, principal_id);
  Reply members = co_await redis_.command("SMEMBERS", index);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < members.size(); ++i) ids.emplace_back(members[i].text());
  std::vector<Session> sessions;
  if (ids.empty()) co_return sessions;

  Pipeline read;
  for (const auto& id : ids) {
    read.add("HMGET", session_key(id), "created_at", "last_accessed", "expires_at", "ip_address",
             "user_agent");
  }
  const auto replies = co_await redis_.pipeline(read);
  const std::int64_t now = now_ms();
  const std::int64_t idle_ms = settings_.idle_timeout.count() * 1000;
  Pipeline forget;
  for (std::size_t i = 0; i < ids.size() && i < replies.size(); ++i) {
    const auto& r = replies[i];
    const auto last = r[1].integer();
    const auto expires = r[2].integer();
    if (r.is_error() || !last || !expires || now >= *expires || now - *last >= idle_ms) {
      forget.add("SREM", index, ids[i]);
      continue;
    }
    Session s;
    s.id = ids[i];
    s.kind = kind;
    s.principal_id = principal_id;
    s.created_at_ms = r[0].integer().value_or(0);
    s.last_accessed_ms = *last;
    s.expires_at_ms = *expires;
    s.ip_address = r[3].text();
    s.user_agent = r[4].text();
    sessions.push_back(std::move(s));
  }
  if (forget.size() > 0) co_await redis_.pipeline(forget);
  std::sort(sessions.begin(), sessions.end(),
            [](const Session& a, const Session& b) { return a.created_at_ms > b.created_at_ms; });
  co_return sessions;
}

}  // namespace pend::cache
