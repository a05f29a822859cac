// The admin panel's sign-in (docs/architecture/admin.md):
//
//   POST /api/v1/admin/auth/login  {email, password}  -> {mfa_token, mfa: totp | enrol, ...}
//   POST /api/v1/admin/auth/totp   {mfa_token, code}  -> admin session (and, at enrolment,
//                                                        ten recovery codes)
//   GET  /api/v1/admin/me                             -> the signed-in admin and permissions
//
// Sign-out and the session list are the sessions feature's.
#pragma once

#include "db/database.hpp"
#include "domain/common/feature.hpp"
#include "security/permissions.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace pend::domain::admin {

std::unique_ptr<Feature> make_feature(const Deps& deps);

// The role of an active admin as their row says now (the authenticate middleware asks on
// every request with an admin session); empty when the admin is not active or not there.
boost::asio::awaitable<std::optional<pend::security::Role>> current_role(db::Database& database,
                                                                         std::string admin_id);

}  // namespace pend::domain::admin
