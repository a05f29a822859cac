// A security_events row about a caller of the sign-in routes (app users' and admins'): who
// asked from where, what the rule saw, what was done. Written off the request path, on loop.
#pragma once

#include "db/database.hpp"
#include "domain/auth/model.hpp"
#include "util/time.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace pend::domain::auth {

struct CallerEvent {
  std::string event_type;
  std::string severity;
  std::string action;  // automatic_action_taken: blocked, flagged, or empty
  boost::json::object indicators;
  std::string_view user_id;  // users.id when known
  util::Microseconds at{};
};

void record_caller_event(const boost::asio::any_io_executor& loop, db::Database& database,
                         const Caller& caller, CallerEvent event);

}  // namespace pend::domain::auth
