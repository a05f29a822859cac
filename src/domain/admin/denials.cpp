#include "domain/admin/denials.hpp"

#include "db/transaction.hpp"
#include "domain/audit/repository.hpp"
#include "domain/security/repository.hpp"
#include "domain/security/service.hpp"
#include "logging/crash_handler.hpp"
#include "logging/entry.hpp"
#include "logging/logger.hpp"
#include "util/enum_name.hpp"
#include "util/json.hpp"
#include "util/uuid.hpp"

#include <boost/asio/co_spawn.hpp>

namespace pend::domain::admin {

namespace asio = boost::asio;

namespace {

struct Denial {
  domain::security::SecurityEvent event;
  audit::AuditRecord audit;
};

asio::awaitable<void> store(db::Database& database, Denial denial) {
  try {
    db::Lease conn = co_await database.acquire();
    db::Transaction tx(*conn);
    co_await domain::security::insert_security_event(tx, denial.event);
    co_await audit::append(tx, denial.audit);
    co_await tx.commit();
  } catch (const std::exception& error) {
    // Not lost: the security log has the refusal (below) and this says why it is not a row.
    logging::warn("SECURITY", "SECURITY_ADMIN_ACCESS_DENIED", "admin access denial not stored",
                  {{"error", error.what()},
                   {"endpoint", denial.event.endpoint},
                   {"ip_address", denial.event.ip_address},
                   {"threat_indicators", util::json::serialize(denial.event.threat_indicators)}});
  }
}

}  // namespace

void record_denial(const asio::any_io_executor& loop, db::Database& database,
                   const util::Clock& clock, const http::RequestContext& ctx,
                   std::string_view why) {
  const auto at = std::chrono::floor<std::chrono::microseconds>(clock.now());
  const auto& principal = ctx.principal;
  const bool admin = ctx.auth == http::AuthState::valid &&
                     principal.kind == http::Principal::Kind::admin && util::is_uuid(principal.id);
  const auto permission = ctx.match.route->options.permission;
  const std::string route =
      std::string{http::to_string(ctx.match.route->method)} + " " + std::string{ctx.route_name()};

  boost::json::object indicators{{"route", route}, {"why", why}};
  if (permission != pend::security::Permission::none) {
    indicators["permission"] = pend::security::to_string(permission);
  }
  if (admin) {
    indicators["admin_id"] = principal.id;
    if (principal.role) indicators["role"] = util::enum_name(*principal.role);
  }

  Denial denial;
  denial.event = domain::security::event_for(ctx, "admin_access_denied", "medium", "blocked");
  denial.event.threat_indicators = indicators;
  denial.event.at = at;
  denial.audit = {.action = "admin.access_denied",
                  .resource_type = "route",
                  .resource_id = route,
                  .new_values = indicators,
                  .ip_address = denial.event.ip_address,
                  .outcome = "refused",
                  .at = at};
  if (admin) {
    denial.audit.admin_id = principal.id;
    denial.audit.session_id = principal.session_id;
  }
  if (!denial.event.user_agent.empty()) denial.audit.user_agent = denial.event.user_agent;

  logging::Entry entry{.ip_address = denial.event.ip_address, .endpoint = ctx.route_name()};
  entry.request_id = ctx.request_id;
  if (admin) entry.admin_id = principal.id;
  logging::security("ADMIN_ACCESS_DENIED", "an admin route was refused: " + std::string{why},
                    entry);
  asio::co_spawn(loop, store(database, std::move(denial)), logging::rethrow_unhandled);
}

}  // namespace pend::domain::admin
