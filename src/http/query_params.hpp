// QueryParams: a request's query string, decoded. Names not in the allowed list are refused
// with 400 (a typo must not silently mean "default"). Handlers read typed queries instead
// (http/query.hpp, http::read_query<T>), which use this underneath.
//
//   static constexpr std::string_view kNames[] = {"window", "limit", "cursor"};
//   const QueryParams params(ctx.query, kNames);                         // throws ApiError
//   const auto window = params.get("window");                            // optional
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pend::http {

class QueryParams {
 public:
  // allowed: a static array (GCC 12 miscompiles braced lists held across a co_await).
  QueryParams(std::string_view query, std::span<const std::string_view> allowed);

  std::optional<std::string> get(std::string_view name) const;  // the last value given
  bool empty() const { return values_.empty(); }

  // The integer value of name within [min, max], or fallback when absent; 422 otherwise.
  std::int64_t integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace pend::http
