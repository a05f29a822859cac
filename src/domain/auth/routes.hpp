// Sign-up and sign-in of the app's users (docs/architecture/auth.md):
//
//   POST /api/v1/auth/otp          {phone, purpose}  -> 202 {otp_id, expires_at, resend_after}
//   GET  /api/v1/auth/challenge?address=0x...        -> {message, nonce, expires_at} (EIP-4361)
//   POST /api/v1/auth/register     {otp_id, code, address, message, signature} -> 201 session
//   POST /api/v1/auth/login        {otp_id, code}    -> 200 session
//   PUT  /api/v1/me/address        {otp_id, code, address, message, signature} -> profile
//
// The signed-in user's profile and address are the users feature's (domain/users); sign-out
// and the session list are the sessions feature's.
#pragma once

#include "domain/auth/model.hpp"
#include "domain/common/feature.hpp"

namespace pend::http {
struct RequestContext;
}

namespace pend::domain::auth {

class AuthService;

std::unique_ptr<Feature> make_feature(const Deps& deps);

// The caller as services see it: address, agent, route, and the country a trusted proxy
// reported (auth.country_header).
Caller caller_of(const http::RequestContext& ctx, const config::AuthSettings& settings);

}  // namespace pend::domain::auth
