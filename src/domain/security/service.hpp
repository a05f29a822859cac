// What the server noticed and did about it, as security_events rows written off the request
// path: the rate limiter's refusals now; failed sign-ins, lock-outs and suspicious activity
// from the auth feature.
#pragma once

#include "db/database.hpp"
#include "domain/security/repository.hpp"
#include "http/request_context.hpp"
#include "middleware/rate_limit.hpp"

namespace pend::domain::security {

// The event with the request's address, agent, route and (when signed in) user filled in.
SecurityEvent event_for(const http::RequestContext& ctx, std::string event_type,
                        std::string severity, std::string automatic_action);

// The rate limiter's refusal recorder (middleware::RefusalRecorder): rate_limit_exceeded,
// rate_limited, with the rule in threat_indicators.
void record_rate_limit_refusal(db::Database& database, const boost::asio::any_io_executor& loop,
                               const http::RequestContext& ctx,
                               const middleware::RateLimitRefusal& refusal);

}  // namespace pend::domain::security
