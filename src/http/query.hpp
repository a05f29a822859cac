// Typed query parameters: a route's parameters are a described struct (http/json_mapping.hpp)
// whose members are all optional or defaulted. Names that are not members are refused with
// 400 unknown_parameter (a typo must never silently mean "the default"), values are parsed by
// the member's type and every problem is listed in one 422.
//
//   struct PageQuery {
//     static constexpr std::string_view kSchema = "PageQuery";
//     std::optional<std::int64_t> limit;
//     std::optional<std::string> cursor;
//   };
//   BOOST_DESCRIBE_STRUCT(PageQuery, (), (limit, cursor))
//
//   const auto query = http::read_query<PageQuery>(ctx);   // http/read.hpp
#pragma once

#include "http/json_mapping.hpp"
#include "http/query_params.hpp"

#include <charconv>

namespace pend::http {

namespace mapping {

template <typename T>
void decode_text(std::string_view text, T& out, const std::string& name, Problems& problems) {
  if constexpr (is_optional<T>) {
    decode_text(text, out.emplace(), name, problems);
  } else if constexpr (std::same_as<T, std::string>) {
    if (text.find('\0') != std::string_view::npos) {
      return problems.add(name, "invalid_value", "must not contain NUL characters");
    }
    out.assign(text);
  } else if constexpr (std::same_as<T, bool>) {
    if (text == "true" || text == "1") {
      out = true;
    } else if (text == "false" || text == "0") {
      out = false;
    } else {
      problems.add(name, "invalid_type", "must be true or false");
    }
  } else if constexpr (Integer<T>) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
      return problems.add(name,
                          ec == std::errc::result_out_of_range ? "out_of_range" : "invalid_type",
                          "must be an integer");
    }
    out = value;
  } else if constexpr (std::floating_point<T>) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
      return problems.add(name, "invalid_type", "must be a number");
    }
    out = static_cast<T>(value);
  } else if constexpr (DescribedEnum<T>) {
    const auto value = util::enum_from_name<T>(text);
    if (!value)
      return problems.add(name, "invalid_value", "must be one of: " + util::enum_names<T>());
    out = *value;
  } else if constexpr (std::same_as<T, util::Microseconds>) {
    const auto value = util::parse_rfc3339(text);
    if (!value) {
      return problems.add(name, "invalid_value",
                          "must be an RFC 3339 date-time such as 2026-12-04T19:43:17Z");
    }
    out = *value;
  } else {
    static_assert(sizeof(T) == 0, "no query mapping for this member type");
  }
}

}  // namespace mapping

// The allowed names of T, for QueryParams.
template <ApiType T>
const std::vector<std::string_view>& query_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& field : schema_of<T>().fields) out.push_back(field.name);
    return out;
  }();
  return names;
}

template <ApiType T>
T decode_query(std::string_view query) {
  const QueryParams params(query, query_names<T>());  // 400 for unknown names
  T out{};
  Problems problems;
  boost::mp11::mp_for_each<mapping::members<T>>([&](auto d) {
    const auto text = params.get(d.name);
    if (text) mapping::decode_text(*text, out.*d.pointer, std::string{d.name}, problems);
  });
  if constexpr (Validated<T>) {
    if (problems.empty()) out.validate(problems);
  }
  problems.throw_if_any("query parameters are invalid");
  return out;
}

}  // namespace pend::http
