#include "http/query_params.hpp"

#include "http/api_error.hpp"

#include <sodium.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
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
      throw ApiError::bad_request("unknown_parameter",
                                  "unknown query parameter '" + name + "' (known: " + known + ")",
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

std::string encode_cursor(const std::vector<std::string>& values) {
  boost::json::array array;
  for (const auto& value : values) array.emplace_back(value);
  const std::string json = boost::json::serialize(array);
  std::string out(sodium_base64_encoded_len(json.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(json.data()),
                    json.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::vector<std::string>> decode_cursor(std::string_view cursor, std::size_t count) {
  if (cursor.empty() || cursor.size() > 2048) return std::nullopt;
  std::string json(cursor.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(json.data()), json.size(), cursor.data(),
                        cursor.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  json.resize(length);
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(json, ec);
  if (ec || !parsed.is_array() || parsed.as_array().size() != count) return std::nullopt;
  std::vector<std::string> values;
  for (const auto& value : parsed.as_array()) {
    if (!value.is_string()) return std::nullopt;
    values.emplace_back(value.as_string());
  }
  return values;
}

}  // namespace pend::http
