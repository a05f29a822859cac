#include "domain/security/service.hpp"

namespace pend::domain::security {

SecurityEvent event_for(const http::RequestContext& ctx, std::string event_type,
                        std::string severity, std::string automatic_action) {
  SecurityEvent event;
  event.event_type = std::move(event_type);
  event.severity = std::move(severity);
  if (ctx.auth == http::AuthState::valid && ctx.principal.kind == http::Principal::Kind::user) {
    event.user_id = ctx.principal.id;
  }
  event.ip_address = ctx.client_address.to_string();
  event.user_agent = ctx.request[boost::beast::http::field::user_agent].substr(0, 512);
  event.endpoint = ctx.route_name();
  event.automatic_action = std::move(automatic_action);
  return event;
}

void record_rate_limit_refusal(db::Database& database, const boost::asio::any_io_executor& loop,
                               const http::RequestContext& ctx,
                               const middleware::RateLimitRefusal& refusal) {
  const auto& rule = refusal.rule;
  SecurityEvent event = event_for(ctx, "rate_limit_exceeded", rule.severity, "rate_limited");
  event.threat_indicators = {{"rule", rule.name},
                             {"key_type", config::to_string(rule.key)},
                             {"limit", rule.limit},
                             {"window_seconds", rule.window.count()},
                             {"decided_by", refusal.decided_locally ? "local" : "redis"}};
  if (rule.key == config::RateLimitRule::Key::phone) {
    event.threat_indicators["phone_hash"] = refusal.key;
  }
  record_security_event(loop, database, std::move(event));
}

}  // namespace pend::domain::security
