#include "db/error_mapping.hpp"

#include "db/error.hpp"
#include "http/request_context.hpp"
#include "logging/logger.hpp"

#include <boost/json/object.hpp>

namespace pend::db {

namespace {

constexpr unsigned kRetryAfterSeconds = 1;

}  // namespace

std::optional<http::ApiError> to_api_error(const std::exception& error,
                                           const http::RequestContext& ctx) {
  const auto* database = dynamic_cast<const DatabaseError*>(&error);
  if (database == nullptr) return std::nullopt;
  const std::string_view state = database->sqlstate();

  if (state == "23505") {
    return http::ApiError(409, "conflict", "a record with the same unique value already exists");
  }
  if (state == "23502") {
    boost::json::array details;
    if (!database->column().empty()) {
      details.push_back(boost::json::object{{"field", database->column()}, {"issue", "required"}});
    }
    return http::ApiError::validation_failed("a required value is missing", std::move(details));
  }
  if (state == "23503") {
    return http::ApiError::validation_failed("a referenced record does not exist or is in use");
  }
  if (state == "23514") {
    return http::ApiError::validation_failed("a value is outside what is allowed");
  }
  if (state.starts_with("22")) {
    return http::ApiError::validation_failed("a value has the wrong format or is out of range");
  }
  if (database->unavailable()) {
    // The detail is for operators; the client learns only that it may retry.
    logging::warn("GENERAL", "DATABASE_UNAVAILABLE", database->what(),
                  {{"request_id", ctx.request_id},
                   {"endpoint", ctx.route_name()},
                   {"error_code", database->sqlstate()}});
    return http::ApiError::service_unavailable(
        database->timed_out() ? "the database did not answer in time; retry shortly"
                              : "the database is unavailable; retry shortly",
        kRetryAfterSeconds);
  }
  return std::nullopt;
}

}  // namespace pend::db
