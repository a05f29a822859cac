#include "http/api_error.hpp"

#include <utility>

namespace pend::http {

ApiError::ApiError(unsigned status, std::string code, std::string message,
                   boost::json::array details)
    : std::runtime_error(std::move(message)),
      status_(status),
      code_(std::move(code)),
      details_(std::move(details)) {}

ApiError& ApiError::with_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

ApiError ApiError::bad_request(std::string code, std::string message, boost::json::array details) {
  return {400, std::move(code), std::move(message), std::move(details)};
}

ApiError ApiError::not_found(std::string message) { return {404, "not_found", std::move(message)}; }

ApiError ApiError::method_not_allowed(std::string allow) {
  ApiError error{405, "method_not_allowed", "method not allowed; allowed: " + allow};
  error.with_header("Allow", std::move(allow));
  return error;
}

ApiError ApiError::payload_too_large(std::size_t limit) {
  return {413, "payload_too_large",
          "request body exceeds the limit of " + std::to_string(limit) + " bytes"};
}

ApiError ApiError::unsupported_media_type(std::string message) {
  return {415, "unsupported_media_type", std::move(message)};
}

ApiError ApiError::validation_failed(std::string message, boost::json::array details) {
  return {422, "validation_failed", std::move(message), std::move(details)};
}

ApiError ApiError::unauthorized(std::string message) {
  ApiError error{401, "unauthenticated", std::move(message)};
  error.with_header("WWW-Authenticate", "Bearer");
  return error;
}

ApiError ApiError::forbidden(std::string message) { return {403, "forbidden", std::move(message)}; }

ApiError ApiError::service_unavailable(std::string message, unsigned retry_after_seconds) {
  ApiError error{503, "service_unavailable", std::move(message)};
  error.with_header("Retry-After", std::to_string(retry_after_seconds));
  return error;
}

ApiError ApiError::internal() { return {500, "internal_error", "internal server error"}; }

}  // namespace pend::http
