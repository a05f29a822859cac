// RequestContext: everything one request carries through the middleware chain to its handler
// and back: the parsed request, the response being built, the route match, ids and client.
#pragma once

#include "http/body_stream.hpp"
#include "http/method.hpp"
#include "http/router.hpp"
#include "security/permissions.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pend::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Clock = std::chrono::steady_clock;

// W3C trace context (https://www.w3.org/TR/trace-context/) as received. Without an incoming
// traceparent it stays empty and an outbound call starts its own trace.
struct TraceContext {
  std::string trace_id;   // 32 lowercase hex
  std::string parent_id;  // the caller's span, 16 lowercase hex
  std::string span_id;    // this server's span, 16 lowercase hex
  std::uint8_t flags = 0;

  // The header value to send on outbound calls made for this request; empty without a trace.
  std::string outbound_header() const;
};

// Who is calling, resolved from "Authorization: Bearer <session token>".
struct Principal {
  enum class Kind : std::uint8_t { none, user, admin };
  BOOST_DESCRIBE_NESTED_ENUM(Kind, none, user, admin)
  Kind kind = Kind::none;
  std::string id;          // users.id or admin_users.id
  std::string session_id;  // the session's id: the hash of its token, never the token
  // An admin's role as their row says now (read on every request, so a change counts at
  // once); empty for users and for admins whose role could not be established.
  std::optional<security::Role> role;
};

// What became of the request's credentials.
enum class AuthState : std::uint8_t {
  none,         // no Authorization header
  valid,        // principal is set
  invalid,      // malformed, unknown, expired or revoked
  unavailable,  // the session store (Redis) could not be asked
};

enum class CacheOutcome : std::uint8_t { none, hit, miss, coalesced };

struct RequestContext {
  explicit RequestContext(Request& req) : request(req) {}

  Request& request;
  Response response;
  RouteMatch match;
  Method method = Method::other;
  std::string_view path;   // target without the query string
  std::string_view query;  // raw query string, without '?'
  // A form_query route's POST: the URL's query and the form body joined, which query views.
  std::string form_query;

  std::string request_id;
  // Views request_id, or trace.trace_id when a traceparent came in; never copied.
  std::string_view correlation_id;
  TraceContext trace;  // empty unless a valid traceparent came in

  boost::asio::ip::address peer_address;    // the TCP peer
  boost::asio::ip::address client_address;  // peer, or X-Forwarded-For from a trusted proxy
  bool client_tls = false;                  // X-Forwarded-Proto: https from a trusted proxy
  bool via_trusted_proxy = false;  // the peer is a trusted proxy: its headers may be believed

  boost::json::value body;  // the parsed JSON body, for routes that take one
  // A streamed route's body, read by its handler as it arrives (RouteOptions::streamed_body);
  // null for every other route, whose body is in request.body() before the handler runs.
  BodyStream* body_stream = nullptr;
  // A response written as it is produced (http/body_stream.hpp); null for the usual
  // response, whose body is response.body().
  std::unique_ptr<ResponseStream> response_stream;
  Clock::time_point started;
  Clock::time_point finished;  // set once the response is complete, before the observers run
  // The handler's budget (server.request_timeout_ms): database work is cut to what is left.
  Clock::time_point deadline = Clock::time_point::max();
  // Emitted when the client goes away or the deadline passes while the handler runs; the
  // database layer cancels the statement in flight.
  boost::asio::cancellation_signal cancel;
  std::chrono::nanoseconds database_time{0};  // summed by the data layer
  std::chrono::nanoseconds external_time{0};  // summed by outbound calls (external::HttpClient)
  Principal principal;
  AuthState auth = AuthState::none;
  bool ops = false;  // let in as operations (RouteOptions::ops_access), not as a principal
  CacheOutcome cache = CacheOutcome::none;
  std::shared_ptr<void> cache_flight;  // the response cache's state while this request leads
  // A CacheTier::chain route's answer is final (its data at or below the finality depth): the
  // response cache keeps it for the long TTL rather than the short one.
  bool cache_final = false;
  bool answered = false;  // a middleware already produced the response
  // Constant header lines ("Name: value\r\n"...) written after the response's own fields:
  // headers every response carries are rendered once at start-up, not added per request.
  std::string_view static_headers;
  // An HTML page (GET /api/docs): its Content-Security-Policy lets it run this origin's
  // scripts and styles instead of the API's default-src 'none'.
  bool page = false;
  std::string error_code;  // set when the response is an error envelope
  std::size_t request_bytes = 0;
  std::size_t response_bytes = 0;

  // The route template for logs and metrics: never the raw path.
  std::string_view route_name() const {
    return match.path_template ? std::string_view{*match.path_template} : "unmatched";
  }

  // Builders for handlers. Both set status, Content-Type and body.
  // A client on this host: a loopback peer and no forwarding header at all. A request a
  // proxy passed on is never taken for a local one, whatever the forwarded addresses say
  // (a proxy on this host must send X-Forwarded-For; one that sends nothing cannot be told
  // from a local client).
  bool from_this_host() const;
  // Whether the request carries "Authorization: Bearer <secret>" (compared in constant
  // time); false for an empty secret.
  bool has_bearer(std::string_view secret) const;
  // Operations: a client on this host, or the ops token (ops.token).
  bool is_ops(std::string_view ops_token) const {
    return from_this_host() || has_bearer(ops_token);
  }
  void json(unsigned status, const boost::json::value& value);
  // A body already written as JSON text (util::json::Writer).
  void json_text(unsigned status, std::string body);
  void text(unsigned status, std::string body, std::string_view content_type);
};

}  // namespace pend::http
