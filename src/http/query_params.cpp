#include "http/query_params.hpp"

#include "http/api_error.hpp"

#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <charconv>

namespace pend::http {

QueryParams::QueryParams(std::string_view query, std::span<const std::string_view> allowed) {
  if (query.empty()) return;
  // Boost.URL 1.81's parse_query reads past a view's end: parse a terminated copy.
  const std::string text{query};
  const auto parsed = boost::urls::parse_query(text);
  if (!parsed) throw ApiError::bad_request("invalid_query", "the query string is malformed");
  for (const auto& param : *parsed) {
    std::string name = param.key.decode();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (const auto a : allowed) known += (known.empty() ? "" : ", ") + std::string{a};
      throw ApiError::bad_request(
          "unknown_parameter",
          "unknown query parameter '" + name + "' (" +
              (known.empty() ? "this route takes none" : "known: " + known) + ")",
          {boost::json::object{{"parameter", name}}});
    }
    values_.emplace_back(std::move(name), param.has_value ? param.value.decode() : std::string{});
  }
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  for (auto it = values_.rbegin(); it != values_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::int64_t QueryParams::integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) const {
  const auto text = get(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max) {
    throw ApiError::validation_failed(
        std::string{name} + " must be an integer from " + std::to_string(min) + " to " +
            std::to_string(max),
        {boost::json::object{{"field", name}, {"min", min}, {"max", max}}});
  }
  return value;
}

}  // namespace pend::http
