// MfaTickets: what a password sign-in leaves for its second step, in Redis for
// admin.mfa_token_ttl_seconds. The client holds a random token; Redis keeps only its
// SHA-256:
//
//   admin_mfa:{sha256(token)}   hash: admin_id, step (totp | enrol), attempts
//
// Each code submitted counts an attempt first (one atomic script), so a token allows
// admin.mfa_attempts guesses however many arrive at once.
#pragma once

#include "cache/redis.hpp"
#include "domain/admin/model.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pend::domain::admin {

class MfaTickets {
 public:
  explicit MfaTickets(cache::Redis& redis) : redis_(redis) {}

  // The token for the client.
  boost::asio::awaitable<std::string> issue(std::string_view admin_id, MfaStep step,
                                            std::chrono::seconds ttl);
  // Counts an attempt; the ticket while it has attempts left (this one included), empty when
  // the token is unknown, expired or used up (then it is gone).
  boost::asio::awaitable<std::optional<MfaTicket>> attempt(std::string_view token,
                                                           int max_attempts);
  boost::asio::awaitable<void> remove(std::string_view token);

 private:
  cache::Redis& redis_;
};

}  // namespace pend::domain::admin
