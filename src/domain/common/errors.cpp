#include "domain/common/errors.hpp"

#include "http/api_error.hpp"

namespace pend::domain {

std::optional<http::ApiError> to_api_error(const std::exception& error,
                                           const http::RequestContext&) {
  const auto* domain = dynamic_cast<const DomainError*>(&error);
  if (domain == nullptr) return std::nullopt;
  using Kind = DomainError::Kind;
  unsigned status = 422;
  switch (domain->kind()) {
    case Kind::invalid:
      status = 422;
      break;
    case Kind::not_found:
      status = 404;
      break;
    case Kind::conflict:
      status = 409;
      break;
    case Kind::unauthenticated:
      status = 401;
      break;
    case Kind::forbidden:
      status = 403;
      break;
    case Kind::gone:
      status = 410;
      break;
    case Kind::rate_limited:
      status = 429;
      break;
    case Kind::unavailable:
      status = 503;
      break;
  }
  http::ApiError api{status, domain->code(), domain->what(), domain->details()};
  if (domain->retry_after() > 0 || status == 429 || status == 503) {
    api.with_header("Retry-After", std::to_string(std::max(1u, domain->retry_after())));
  }
  return api;
}

}  // namespace pend::domain
