// A feature's route table: each row a method, a path template, the handler (a member function
// of the feature's routes class) and the route's policy. Written at the top of routes.cpp, so
// a reader sees a feature's whole surface at once; add_routes() registers the rows.
//
//   class SessionRoutes { ... asio::awaitable<void> list(http::RequestContext& ctx); ... };
//   const http::RouteSpec<SessionRoutes> kRoutes[] = {
//       {http::Method::get, "/api/v1/sessions", &SessionRoutes::list, kOwnSessions},
//   };
//   http::add_routes(router, *this, kRoutes);
#pragma once

#include "http/router.hpp"

#include <boost/asio/awaitable.hpp>

#include <span>
#include <string_view>

namespace pend::http {

struct RequestContext;

template <typename Handlers>
struct RouteSpec {
  Method method;
  std::string_view pattern;
  boost::asio::awaitable<void> (Handlers::*handler)(RequestContext& ctx);
  RouteOptions options;
};

template <typename Handlers>
void add_routes(Router& router, Handlers& handlers, std::span<const RouteSpec<Handlers>> table) {
  for (const auto& spec : table) {
    router.add(
        spec.method, spec.pattern,
        [&handlers, handler = spec.handler](RequestContext& ctx) {
          return (handlers.*handler)(ctx);
        },
        spec.options);
  }
}

}  // namespace pend::http
