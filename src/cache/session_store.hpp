// SessionStore: sign-in sessions in Redis. The client gets a token (256 random bits,
// base64url) once, at creation; Redis keeps only its SHA-256, which is the session's id:
//
//   session:{id}                 hash: kind, user_id | admin_id, created_at, last_accessed,
//                                expires_at (Unix ms), ip_address, user_agent, idle (ms)
//   sessions:{kind}:{principal}  set of that principal's session ids (list, revoke all)
//
// A session ends at created_at + absolute timeout (the plan's 24 h; 12 h for admins) or
// after the idle timeout without use (30 min; 15 min for admins), whichever comes first; the key's
// TTL follows so Redis forgets it too. Resolving, revoking and revoking all are Lua scripts: each
// is one atomic step.
//
//   SessionStore sessions(redis, settings.session);
//   NewSession created = co_await sessions.create(Principal::Kind::user, user_id, ip, agent);
//   std::optional<Session> s = co_await sessions.resolve(token);   // touches last_accessed
#pragma once

#include "cache/redis.hpp"
#include "config/settings.hpp"
#include "http/request_context.hpp"
#include "util/clock.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pend::cache {

struct Session {
  std::string id;  // sha256(token), hex
  http::Principal::Kind kind = http::Principal::Kind::none;
  std::string principal_id;
  std::int64_t created_at_ms = 0;
  std::int64_t last_accessed_ms = 0;
  std::int64_t expires_at_ms = 0;  // the absolute end
  std::string ip_address;
  std::string user_agent;
};

struct NewSession {
  std::string token;  // give to the client once; never stored or logged
  Session session;
};

std::string_view to_string(http::Principal::Kind kind);
// Whether text has a token's shape (43 base64url characters): checked before any hashing or
// Redis round trip.
bool is_session_token(std::string_view text);
// The id a token stands for; empty when the text cannot be a token.
std::string session_id_for_token(std::string_view token);

class SessionStore {
 public:
  SessionStore(Redis& redis, config::SessionSettings settings,
               const util::Clock& clock = util::system_clock());

  boost::asio::awaitable<NewSession> create(http::Principal::Kind kind,
                                            std::string_view principal_id,
                                            std::string_view ip_address,
                                            std::string_view user_agent);
  // The live session a token opens, its last_accessed moved to now; empty when the token
  // is unknown, expired or revoked (an expired one is deleted on the way).
  boost::asio::awaitable<std::optional<Session>> resolve(std::string_view token);
  // Ends one session; with owner set, only if it belongs to that principal. True if it ended.
  boost::asio::awaitable<bool> revoke(std::string_view id, const http::Principal* owner = nullptr);
  // Ends every session of a principal, except keep (an id) when given. Returns how many.
  boost::asio::awaitable<std::uint64_t> revoke_all(http::Principal::Kind kind,
                                                   std::string_view principal_id,
                                                   std::string_view keep = {});
  // The principal's live sessions, newest first; forgets ids whose session is gone.
  boost::asio::awaitable<std::vector<Session>> list(http::Principal::Kind kind,
                                                    std::string_view principal_id);

  const config::SessionSettings& settings() const { return settings_; }

 private:
  std::int64_t now_ms() const;

  Redis& redis_;
  config::SessionSettings settings_;
  const util::Clock& clock_;
};

}  // namespace pend::cache
