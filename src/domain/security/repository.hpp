// SQL over security_events: what the server noticed and did about it (rate limiting now;
// lockouts and suspicious sign-ins later). Read by the admin panel.
#pragma once

#include "db/database.hpp"
#include "db/transaction.hpp"
#include "util/time.hpp"

#include <boost/json/object.hpp>

#include <optional>

#include <string>

namespace pend::domain::security {

struct SecurityEvent {
  std::string event_type;  // rate_limit_exceeded, ...
  std::string severity;    // low, medium, high, critical
  std::string user_id;     // users.id when known (unknown ids are stored as NULL)
  std::string ip_address;
  std::string user_agent;
  std::string endpoint;  // the route template
  boost::json::object threat_indicators;
  std::string automatic_action;  // rate_limited, blocked, flagged
  // When it happened by the application's clock (tests move it); empty: the database's now.
  std::optional<util::Microseconds> at;
};

boost::asio::awaitable<void> insert_security_event(db::Database& database,
                                                   const SecurityEvent& event,
                                                   const db::Scope& scope = {});
// In the caller's transaction (with the audit row of the same refusal, say).
boost::asio::awaitable<void> insert_security_event(db::Transaction& tx, const SecurityEvent& event);

// Records the event off the request path (on the caller's loop, not awaited). When the
// database cannot take it, it goes to the log at warn, category SECURITY, so it is not lost.
void record_security_event(const boost::asio::any_io_executor& loop, db::Database& database,
                           SecurityEvent event);

}  // namespace pend::domain::security
