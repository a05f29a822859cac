// Problems: every field error of one request, collected before answering, so a client sees
// all of them in one 422 instead of fixing them one round trip at a time.
//
//   http::Problems problems;
//   if (email.size() > 255) problems.add("email", "too_long", "at most 255 characters");
//   problems.throw_if_any("request body is invalid");   // 422 validation_failed, details
#pragma once

#include <boost/json/array.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pend::http {

struct Problem {
  std::string field;  // a path: "email", "items[2].amount"; "" for the whole body
  std::string code;   // required, unknown_field, invalid_type, invalid_value, too_long, ...
  std::string message;
};

class Problems {
 public:
  void add(std::string field, std::string code, std::string message);
  bool empty() const { return problems_.empty(); }
  std::size_t size() const { return problems_.size(); }
  const std::vector<Problem>& all() const { return problems_; }
  bool has(std::string_view field) const;

  // [{"field": ..., "code": ..., "message": ...}, ...]: the envelope's details.
  boost::json::array to_json() const;
  // ApiError 422 validation_failed with every problem in its details, when there is one.
  void throw_if_any(std::string_view message) const;

 private:
  static constexpr std::size_t kMax = 50;  // a hostile body cannot make the answer huge
  std::vector<Problem> problems_;
};

}  // namespace pend::http
