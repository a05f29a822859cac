// The monitoring read API's query types (its answers are rows computed in SQL, documented as
// RouteFigurePage and SystemFigurePage in docs/api/openapi.yaml).
#pragma once

#include "http/problems.hpp"

#include <boost/describe/class.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pend::domain::monitoring::api {

// A window such as "15m": a number of s, m or h, at most 7 days; 15 minutes by default.
std::chrono::seconds window_of(const std::optional<std::string>& text);
void check_window(http::Problems& problems, const std::optional<std::string>& text);

struct RouteFiguresQuery {
  static constexpr std::string_view kSchema = "RouteFiguresQuery";
  std::optional<std::string> window;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const { check_window(problems, window); }
};
BOOST_DESCRIBE_STRUCT(RouteFiguresQuery, (), (window, limit, cursor))

struct SystemFiguresQuery {
  static constexpr std::string_view kSchema = "SystemFiguresQuery";
  std::optional<std::string> instance;
  std::optional<std::string> type;
  std::optional<std::string> window;
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  void validate(http::Problems& problems) const { check_window(problems, window); }
};
BOOST_DESCRIBE_STRUCT(SystemFiguresQuery, (), (instance, type, window, limit, cursor))

}  // namespace pend::domain::monitoring::api
