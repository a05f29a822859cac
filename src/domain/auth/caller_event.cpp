#include "domain/auth/caller_event.hpp"

#include "domain/security/repository.hpp"

namespace pend::domain::auth {

void record_caller_event(const boost::asio::any_io_executor& loop, db::Database& database,
                         const Caller& caller, CallerEvent event) {
  domain::security::SecurityEvent row;
  row.event_type = std::move(event.event_type);
  row.severity = std::move(event.severity);
  row.user_id = std::string{event.user_id};
  row.ip_address = caller.ip;
  row.user_agent = caller.user_agent;
  row.endpoint = caller.endpoint;
  row.threat_indicators = std::move(event.indicators);
  row.automatic_action = std::move(event.action);
  row.at = event.at;
  domain::security::record_security_event(loop, database, std::move(row));
}

}  // namespace pend::domain::auth
