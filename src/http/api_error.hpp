// ApiError: a request outcome that is not success, with its HTTP status and stable error code.
// Thrown anywhere on the request path; turned into the JSON envelope in exactly one place
// (http/error_envelope.cpp).
#pragma once

#include <boost/json/array.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pend::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(unsigned status, std::string code, std::string message, boost::json::array details = {});

  unsigned status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const boost::json::array& details() const noexcept { return details_; }

  // Extra response headers the status needs (Allow on 405, Retry-After on 429 and 503).
  ApiError& with_header(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
    return headers_;
  }

  static ApiError bad_request(std::string code, std::string message,
                              boost::json::array details = {});
  static ApiError not_found(std::string message = "no such resource");
  static ApiError method_not_allowed(std::string allow);
  static ApiError payload_too_large(std::size_t limit);
  static ApiError unsupported_media_type(std::string message);
  static ApiError validation_failed(std::string message, boost::json::array details = {});
  static ApiError unauthorized(std::string message = "authentication required");
  static ApiError forbidden(std::string message = "not allowed");
  static ApiError service_unavailable(std::string message, unsigned retry_after_seconds);
  static ApiError internal();

 private:
  unsigned status_;
  std::string code_;
  boost::json::array details_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace pend::http
