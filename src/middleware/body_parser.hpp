// body_parser: refuses query parameters on routes that declare none (400 unknown_parameter;
// routes with a typed query refuse unknown names when they read it), and for routes that take
// a JSON body checks Content-Type (415 otherwise) and parses the body into ctx.body (400 with
// the position on malformed JSON). Size was already enforced by the connection (413) before
// routing.
#pragma once

#include "http/middleware.hpp"

namespace pend::middleware {

class BodyParser final : public http::Middleware {
 public:
  std::string_view name() const override { return "body_parser"; }
  void before(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}
};

}  // namespace pend::middleware
