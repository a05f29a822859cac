#include "http/problems.hpp"

#include "http/api_error.hpp"

#include <boost/json/object.hpp>

namespace pend::http {

void Problems::add(std::string field, std::string code, std::string message) {
  if (problems_.size() < kMax) {
    problems_.push_back({std::move(field), std::move(code), std::move(message)});
  }
}

bool Problems::has(std::string_view field) const {
  for (const auto& problem : problems_) {
    if (problem.field == field) return true;
  }
  return false;
}

boost::json::array Problems::to_json() const {
  boost::json::array details;
  for (const auto& problem : problems_) {
    details.push_back(boost::json::object{
        {"field", problem.field}, {"code", problem.code}, {"message", problem.message}});
  }
  return details;
}

void Problems::throw_if_any(std::string_view message) const {
  if (problems_.empty()) return;
  std::string text{message};
  text += ": ";
  text += problems_.front().field.empty() ? "body" : problems_.front().field;
  text += ' ';
  text += problems_.front().message;
  if (problems_.size() > 1) text += " (and " + std::to_string(problems_.size() - 1) + " more)";
  throw ApiError::validation_failed(std::move(text), to_json());
}

}  // namespace pend::http
