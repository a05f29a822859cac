// QueryBuilder: the plan's query-builder. A statement with optional, combinable filters and a
// sort chosen from an allow-list, whose SQL only ever comes from the code: conditions and
// sort expressions must be string literals (SqlText is consteval), every value is a bound
// parameter ("$" in a condition becomes the next $n), and a requested sort that is not in the
// allow-list is refused. Request text can reach PostgreSQL only as a parameter.
//
//   db::QueryBuilder q{"server_logs.search", "SELECT id, level, message FROM server_logs"};
//   q.where("timestamp >= $ AND timestamp < $", from, to);       // required range
//   if (level) q.where("level = $", *level);
//   if (!categories.empty()) q.where("category = ANY($::text[])", text_array(categories));
//   q.order_by(sort, kSorts, db::Direction::descending);        // throws on an unknown sort
//   q.limit(limit + 1);
//   db::Result rows = co_await q.run(database, scope);
#pragma once

#include "db/database.hpp"
#include "db/value.hpp"

#include <boost/asio/awaitable.hpp>

#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pend::db {

// SQL written in the code: only a string literal converts to it.
struct SqlText {
  template <std::size_t N>
  consteval SqlText(const char (&text)[N]) : text(text, N - 1) {}
  std::string_view text;
};

enum class Direction : std::uint8_t { ascending, descending };

struct SortOption {
  std::string_view name;  // what the API calls it (?sort=created_at)
  SqlText sql;            // what it orders by ("created_at, id")
};

class QueryBuilder {
 public:
  QueryBuilder(const char* name, SqlText select);

  // Appends "AND (condition)" (the first one opens WHERE), binding one value per "$".
  template <typename... Values>
  QueryBuilder& where(SqlText condition, Values&&... values) {
    static_assert(sizeof...(Values) > 0, "a condition without values needs no builder");
    std::vector<Param> bound;
    (bound.push_back(own(std::forward<Values>(values))), ...);
    add_condition(condition.text, bound);
    return *this;
  }
  // A condition with no value (e.g. "consensus").
  QueryBuilder& where(SqlText condition);

  // ORDER BY the allowed option named `requested` (or the first option when empty);
  // std::invalid_argument when it is not in the list.
  QueryBuilder& order_by(std::string_view requested, std::span<const SortOption> allowed,
                         Direction direction);
  QueryBuilder& limit(std::int64_t count);

  std::string sql() const;
  std::span<const Param> params() const { return params_; }
  std::size_t conditions() const { return conditions_.size(); }

  boost::asio::awaitable<Result> run(Database& database, const Scope& scope = {}) const;

  // A PostgreSQL array literal of texts, for "= ANY($::text[])".
  static std::string text_array(std::span<const std::string> values);

 private:
  // Texts are copied into texts_ (the caller's may not outlive the query); the rest bind as
  // they are.
  template <typename T>
  Param own(T&& value) {
    using V = std::remove_cvref_t<T>;
    if constexpr (std::is_convertible_v<T, std::string_view> &&
                  !std::is_same_v<V, std::nullopt_t>) {
      return own_text(std::string{std::string_view{value}});
    } else {
      return Param(value);
    }
  }
  Param own_text(std::string value);
  void add_condition(std::string_view condition, const std::vector<Param>& bound);

  const char* name_;
  std::string select_;
  std::vector<std::string> conditions_;
  std::string order_;
  std::optional<std::int64_t> limit_;
  std::vector<Param> params_;
  std::deque<std::string> texts_;  // the bound texts Params view (a deque never moves them)
  std::string sql_;                // kept for run()
};

}  // namespace pend::db
