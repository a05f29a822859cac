// Reading a request the typed way, in handlers:
//
//   const auto body = http::read_body<api::OtpRequest>(ctx);     // 422 with every problem
//   const auto query = http::read_query<api::BlockQuery>(ctx);   // 400 unknown, 422 invalid
//   http::respond(ctx, 202, api::OtpChallenge{...});
//
// The route declares the same types in its RouteOptions (.body = &http::schema_of<T>(),
// .query = ...), which is how the body parser knows to parse JSON, every route refuses query
// parameters it does not declare, the response cache keys on declared parameters only, and
// the OpenAPI test finds the types to compare with docs/api/openapi.yaml.
#pragma once

#include "http/json_mapping.hpp"
#include "http/query.hpp"
#include "http/request_context.hpp"
#include "util/json.hpp"

#include <stdexcept>

namespace pend::http {

template <ApiType T>
T read_body(const RequestContext& ctx) {
  const auto* route = ctx.match.route;
  if (route == nullptr || route->options.body != &schema_of<T>()) {
    throw std::logic_error("read_body<" + std::string{T::kSchema} +
                           ">: the route does not declare this body type");
  }
  T out{};
  Problems problems;
  decode(ctx.body, out, std::string{}, problems);
  problems.throw_if_any("request body is invalid");
  return out;
}

template <ApiType T>
T read_query(const RequestContext& ctx) {
  const auto* route = ctx.match.route;
  if (route == nullptr || route->options.query != &schema_of<T>()) {
    throw std::logic_error("read_query<" + std::string{T::kSchema} +
                           ">: the route does not declare this query type");
  }
  return decode_query<T>(ctx.query);
}

template <typename T>
void respond(RequestContext& ctx, unsigned status, const T& value) {
  ctx.json(status, encode(value));
}

}  // namespace pend::http
