// RouteOptions: a route's policy, declared beside the route and read by the middleware:
// who may call it, the admin permission it needs, its cache tier, its rate-limit group, and
// the typed body and query it takes (http/read.hpp).
//
//   {.access = Access::admin, .permission = security::Permission::users_read,
//    .query = &http::schema_of<api::UserSearch>(), .group = "admin"}
#pragma once

#include "security/permissions.hpp"

#include <cstdint>
#include <string_view>

namespace pend::http {

struct TypeSchema;

// Who may call a route (the authorize middleware enforces it).
enum class Access : std::uint8_t {
  anyone,
  signed_in,  // a user or an admin session
  user,       // a user session
  admin,      // an admin session (with the route's permission, when it names one)
};

// Which of the plan's TTL tiers a route's 200 responses are cached for (GET routes open to
// anyone only: the response must not depend on who asks). `chain`: indexed chain data, for the
// short TTL unless the handler says the answer is final (RequestContext::cache_final: at or
// below the finality depth), then the long one; its keys carry the chain epoch
// (CacheService::chain_epoch), so a reorg retires every such entry at once.
enum class CacheTier : std::uint8_t { none, short_ttl, default_ttl, long_ttl, chain };

// How a route's errors are written. `envelope`: the API's {"error":{code, message, ...}} with
// the error's status. `etherscan`: Etherscan's {"status":"0","message":"NOTOK","result":
// reason} with status 200 (5xx keep theirs), which is what Etherscan's clients parse; a 429
// reads "Max rate limit reached, please use API Key for higher rate limit" as Etherscan's does.
enum class ErrorStyle : std::uint8_t { envelope, etherscan };

struct RouteOptions {
  Access access = Access::anyone;
  // Admin routes: what the admin's role must allow (security/permissions.hpp).
  security::Permission permission = security::Permission::none;
  // Also open to operations without an admin session: a client on this host, or the ops
  // token (ops.token) as "Authorization: Bearer <token>". For the monitoring read API.
  bool ops_access = false;
  CacheTier cache = CacheTier::none;
  // The typed JSON body (schema_of<T>()): the body parser then requires and parses JSON.
  const TypeSchema* body = nullptr;
  // The typed query parameters; a route without one refuses every query parameter.
  const TypeSchema* query = nullptr;
  // The success response's type, for the OpenAPI comparison.
  const TypeSchema* response = nullptr;
  bool json_body = false;  // a JSON body of no declared type (the body parser parses it)
  // A POST's application/x-www-form-urlencoded body is read as more query parameters (after
  // the URL's own), so one handler serves the GET and the form POST of the same call.
  bool form_query = false;
  ErrorStyle errors = ErrorStyle::envelope;
  // A query parameter that says who calls, not what is asked (Etherscan's apikey): the
  // response cache leaves it out of its key, so every caller shares one entry per question.
  std::string_view credential_param;
  bool accepts_trailers = false;  // chunked bodies may end in trailer fields (kept apart)
  // The body is not read before the handler runs: the handler reads it piece by piece as it
  // arrives (ctx.body_stream, http/body_stream.hpp), so it is never whole in memory. The
  // middleware (authentication, rate limits) runs first; a handler that answers without
  // reading it all closes the connection. Not with a typed or JSON body.
  bool streamed_body = false;
  // This route's own body limit in bytes; 0: the server's (server.body_limit_bytes).
  std::uint64_t body_limit = 0;
  // Rate-limit rules select routes by group (config/rate_limit_rule.hpp).
  std::string_view group = "api";
  bool rate_limited = true;  // false for probes and scrapes (health, metrics)
  bool takes_json() const { return json_body || body != nullptr; }
};

}  // namespace pend::http
