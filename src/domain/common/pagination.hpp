// Keyset pagination, the one way lists page (DESIGN.md): `?limit=&cursor=` in,
// `{"items": [...], "next_cursor": ...}` out. A cursor is opaque to clients: the key values
// the last item of a page had, base64url-encoded JSON; the next page's query starts after
// them (WHERE (a, b) > ($1, $2) ORDER BY a, b LIMIT limit + 1), never with OFFSET.
//
//   const auto after = domain::decode_cursor(query.cursor, 2);     // 400 invalid_cursor
//   const auto limit = domain::page_limit(query.limit, 50, 500);    // 422 out of range
//   auto rows = co_await repository.list(after, limit + 1);
//   auto page = domain::page_of(std::move(rows), limit, [](const Row& r) {
//     return std::vector<std::string>{r.endpoint, r.method};
//   });
//   ctx.json(200, domain::to_json(page));
#pragma once

#include "db/value.hpp"
#include "http/json_mapping.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pend::domain {

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

std::string encode_cursor(const std::vector<std::string>& values);
// The values, or nullopt when malformed or of another length.
std::optional<std::vector<std::string>> parse_cursor(std::string_view cursor, std::size_t count);
// The cursor's values (count empty strings without one); 400 invalid_cursor when it is not a
// cursor of this list.
std::vector<std::string> decode_cursor(const std::optional<std::string>& cursor, std::size_t count);
// limit, or fallback without one; 422 outside 1..max.
std::int64_t page_limit(const std::optional<std::int64_t>& limit, std::int64_t fallback,
                        std::int64_t max);

// From rows fetched with LIMIT limit + 1: the first limit of them, and when there were more,
// the cursor of the last one kept.
template <typename T, typename KeyOf>
Page<T> page_of(std::vector<T> rows, std::int64_t limit, KeyOf key_of) {
  Page<T> page;
  if (static_cast<std::int64_t>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    page.next_cursor = encode_cursor(key_of(rows.back()));
  }
  page.items = std::move(rows);
  return page;
}

// Rows as JSON objects, column by column (db::Row::json), leaving out the last
// `hidden_columns` of them.
boost::json::array rows_json(const db::Result& rows, int hidden_columns = 0);
// The first row as a JSON object (column by column), or null when there is none.
boost::json::value first_row(const db::Result& rows);
// A text column of such a row ("" when absent, null or not text).
std::string text_of(const boost::json::object& row, std::string_view key);
inline std::string text_of(const boost::json::value& row, std::string_view key) {
  return text_of(row.as_object(), key);
}

// A page straight from SQL: rows fetched with LIMIT limit + 1 whose last `key_columns`
// columns are the cursor's keys (as text, e.g. to_char of a timestamp to the microsecond and
// id::text); they make next_cursor and are not shown in items.
boost::json::object row_page(const db::Result& rows, std::int64_t limit, int key_columns);

template <typename T>
boost::json::object to_json(const Page<T>& page) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(http::encode(item));
  return {{"items", std::move(items)}, {"next_cursor", http::encode(page.next_cursor)}};
}

}  // namespace pend::domain
