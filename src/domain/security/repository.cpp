#include "domain/security/repository.hpp"

#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"
#include "util/json.hpp"
#include "util/uuid.hpp"

#include <boost/asio/co_spawn.hpp>

namespace pend::domain::security {

namespace asio = boost::asio;

namespace {

// user_id references users: an id that is not (or no longer) a user becomes NULL rather
// than losing the event to a foreign-key error.
constexpr db::Statement kInsert{
    "security_events.insert",
    "INSERT INTO security_events (timestamp, event_type, severity, user_id, ip_address, "
    "user_agent, endpoint, threat_indicators, automatic_action_taken) "
    "VALUES (coalesce($9, now()), $1, $2, (SELECT id FROM users WHERE id = $3::uuid), $4::inet, "
    "$5, $6, $7::jsonb, $8)"};

std::optional<std::string> uuid_or_null(const std::string& id) {
  if (!util::is_uuid(id)) return std::nullopt;
  return id;
}

std::optional<std::string> text_or_null(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

asio::awaitable<void> insert_security_event(db::Database& database, const SecurityEvent& event,
                                            const db::Scope& scope) {
  const std::string indicators = util::json::serialize(event.threat_indicators);
  const auto user_id = uuid_or_null(event.user_id);
  const auto ip = text_or_null(event.ip_address);
  const auto agent = text_or_null(event.user_agent);
  co_await database.query(kInsert, scope, event.event_type, event.severity, user_id, ip, agent,
                          event.endpoint, indicators, event.automatic_action, event.at);
}

asio::awaitable<void> insert_security_event(db::Transaction& tx, const SecurityEvent& event) {
  const std::string indicators = util::json::serialize(event.threat_indicators);
  const auto user_id = uuid_or_null(event.user_id);
  const auto ip = text_or_null(event.ip_address);
  const auto agent = text_or_null(event.user_agent);
  co_await tx.query(kInsert, event.event_type, event.severity, user_id, ip, agent, event.endpoint,
                    indicators, event.automatic_action, event.at);
}

void record_security_event(const asio::any_io_executor& loop, db::Database& database,
                           SecurityEvent event) {
  auto write = [&database, event = std::move(event)]() -> asio::awaitable<void> {
    try {
      co_await insert_security_event(database, event);
    } catch (const std::exception& error) {
      logging::warn("SECURITY", "SECURITY_" + event.event_type, "security event not stored",
                    {{"error", error.what()},
                     {"severity", event.severity},
                     {"user_id", event.user_id},
                     {"ip_address", event.ip_address},
                     {"endpoint", event.endpoint},
                     {"automatic_action", event.automatic_action},
                     {"threat_indicators", util::json::serialize(event.threat_indicators)}});
    }
  };
  asio::co_spawn(loop, std::move(write), logging::rethrow_unhandled);
}

}  // namespace pend::domain::security
