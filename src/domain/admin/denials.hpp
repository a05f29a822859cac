// A refusal at an admin route (403: a role without the permission, a user session, a caller
// outside the ops rule) is recorded three ways: a SECURITY_ADMIN_ACCESS_DENIED entry in the
// security log at once, and, in one transaction off the request path, a security_events row
// (admin_access_denied) and an admin_audit_logs row with outcome "refused". The authorize
// middleware calls this (middleware::DenialRecorder), wired by the composition root.
#pragma once

#include "db/database.hpp"
#include "http/request_context.hpp"
#include "util/clock.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <string_view>

namespace pend::domain::admin {

void record_denial(const boost::asio::any_io_executor& loop, db::Database& database,
                   const util::Clock& clock, const http::RequestContext& ctx, std::string_view why);

}  // namespace pend::domain::admin
