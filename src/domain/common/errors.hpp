// DomainError: an outcome a service decides that is not success (a conflict, something not
// found, a refusal), typed by kind. Services throw it without knowing HTTP; the request
// boundary maps the kind to a status in one place (to_api_error, installed as an error
// translator by the composition root).
//
//   throw DomainError::conflict("already_registered", "the phone or address is registered");
#pragma once

#include <boost/json/array.hpp>

#include <optional>
#include <stdexcept>
#include <string>

namespace pend::http {
class ApiError;
struct RequestContext;
}  // namespace pend::http

namespace pend::domain {

class DomainError : public std::runtime_error {
 public:
  enum class Kind : std::uint8_t {
    invalid,          // 422: the input breaks a rule of the domain
    not_found,        // 404
    conflict,         // 409: the state does not allow it (taken, already done)
    unauthenticated,  // 401: credentials wrong or missing
    forbidden,        // 403
    gone,             // 410: expired, used
    rate_limited,     // 429
    unavailable,      // 503: a dependency of the domain is down
  };

  DomainError(Kind kind, std::string code, std::string message, boost::json::array details = {})
      : std::runtime_error(std::move(message)),
        kind_(kind),
        code_(std::move(code)),
        details_(std::move(details)) {}

  Kind kind() const noexcept { return kind_; }
  const std::string& code() const noexcept { return code_; }
  const boost::json::array& details() const noexcept { return details_; }
  // Seconds a client should wait (rate_limited, unavailable); 0: not said.
  unsigned retry_after() const noexcept { return retry_after_; }
  DomainError& with_retry_after(unsigned seconds) {
    retry_after_ = seconds;
    return *this;
  }

  static DomainError invalid(std::string code, std::string message,
                             boost::json::array details = {}) {
    return {Kind::invalid, std::move(code), std::move(message), std::move(details)};
  }
  static DomainError not_found(std::string message) {
    return {Kind::not_found, "not_found", std::move(message)};
  }
  static DomainError conflict(std::string code, std::string message) {
    return {Kind::conflict, std::move(code), std::move(message)};
  }
  static DomainError unauthenticated(std::string code, std::string message) {
    return {Kind::unauthenticated, std::move(code), std::move(message)};
  }
  static DomainError forbidden(std::string code, std::string message) {
    return {Kind::forbidden, std::move(code), std::move(message)};
  }

 private:
  Kind kind_;
  std::string code_;
  boost::json::array details_;
  unsigned retry_after_ = 0;
};

// The request boundary's mapping (an http::ErrorTranslator).
std::optional<http::ApiError> to_api_error(const std::exception& error,
                                           const http::RequestContext& ctx);

}  // namespace pend::domain
