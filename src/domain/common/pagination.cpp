#include "domain/common/pagination.hpp"

#include "http/api_error.hpp"
#include "util/base64url.hpp"
#include "util/json.hpp"

#include <boost/json/parse.hpp>

namespace pend::domain {

std::string encode_cursor(const std::vector<std::string>& values) {
  boost::json::array array;
  for (const auto& value : values) array.emplace_back(value);
  return util::base64url_encode(util::json::serialize(array));
}

std::optional<std::vector<std::string>> parse_cursor(std::string_view cursor, std::size_t count) {
  if (cursor.empty() || cursor.size() > 2048) return std::nullopt;
  const auto json = util::base64url_decode(cursor);
  if (!json) return std::nullopt;
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(*json, ec);
  if (ec || !parsed.is_array() || parsed.as_array().size() != count) return std::nullopt;
  std::vector<std::string> values;
  for (const auto& value : parsed.as_array()) {
    if (!value.is_string()) return std::nullopt;
    values.emplace_back(value.as_string());
  }
  return values;
}

std::vector<std::string> decode_cursor(const std::optional<std::string>& cursor,
                                       std::size_t count) {
  if (!cursor) return std::vector<std::string>(count);  // from the start
  auto values = parse_cursor(*cursor, count);
  if (!values) {
    throw http::ApiError::bad_request("invalid_cursor", "cursor is not one this list gave");
  }
  return std::move(*values);
}

std::int64_t page_limit(const std::optional<std::int64_t>& limit, std::int64_t fallback,
                        std::int64_t max) {
  if (!limit) return fallback;
  if (*limit < 1 || *limit > max) {
    throw http::ApiError::validation_failed(
        "limit must be an integer from 1 to " + std::to_string(max),
        {boost::json::object{{"field", "limit"}, {"min", 1}, {"max", max}}});
  }
  return *limit;
}

boost::json::value first_row(const db::Result& rows) {
  if (rows.empty()) return nullptr;
  boost::json::object row;
  for (int column = 0; column < rows.columns(); ++column) {
    row[rows.column_name(column)] = rows[0].json(column);
  }
  return row;
}

std::string text_of(const boost::json::object& row, std::string_view key) {
  const auto* value = row.if_contains(key);
  return value != nullptr && value->is_string() ? std::string{value->as_string()} : std::string{};
}

boost::json::array rows_json(const db::Result& rows, int hidden_columns) {
  const int shown = rows.columns() - hidden_columns;
  boost::json::array items;
  items.reserve(static_cast<std::size_t>(rows.rows()));
  for (const db::Row row : rows) {
    boost::json::object item;
    for (int column = 0; column < shown; ++column) {
      item[rows.column_name(column)] = row.json(column);
    }
    items.push_back(std::move(item));
  }
  return items;
}

boost::json::object row_page(const db::Result& rows, std::int64_t limit, int key_columns) {
  boost::json::array items = rows_json(rows, key_columns);
  boost::json::value next = nullptr;
  if (static_cast<std::int64_t>(items.size()) > limit) {
    items.resize(static_cast<std::size_t>(limit));
    const db::Row last = rows[static_cast<int>(limit) - 1];
    std::vector<std::string> keys;
    for (int column = rows.columns() - key_columns; column < rows.columns(); ++column) {
      keys.push_back(last.get<std::string>(column));
    }
    next = boost::json::string(encode_cursor(keys));
  }
  return {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

}  // namespace pend::domain
