#include "db/query_builder.hpp"

#include <stdexcept>

namespace pend::db {

QueryBuilder::QueryBuilder(const char* name, SqlText select) : name_(name), select_(select.text) {}

Param QueryBuilder::own_text(std::string value) {
  texts_.push_back(std::move(value));
  return Param(std::string_view{texts_.back()});
}

void QueryBuilder::add_condition(std::string_view condition, const std::vector<Param>& bound) {
  std::string sql;
  std::size_t next = 0;
  for (const char c : condition) {
    if (c != '$') {
      sql += c;
      continue;
    }
    if (next == bound.size()) throw std::invalid_argument("more $ than values in a condition");
    params_.push_back(bound[next++]);
    sql += '$';
    sql += std::to_string(params_.size());
  }
  if (next != bound.size()) throw std::invalid_argument("more values than $ in a condition");
  conditions_.push_back(std::move(sql));
}

QueryBuilder& QueryBuilder::where(SqlText condition) {
  if (condition.text.find('$') != std::string_view::npos) {
    throw std::invalid_argument("a condition with $ needs its values");
  }
  conditions_.emplace_back(condition.text);
  return *this;
}

QueryBuilder& QueryBuilder::order_by(std::string_view requested,
                                     std::span<const SortOption> allowed, Direction direction) {
  if (allowed.empty()) throw std::invalid_argument("no sort options");
  const SortOption* chosen = requested.empty() ? &allowed.front() : nullptr;
  for (const auto& option : allowed) {
    if (option.name == requested) chosen = &option;
  }
  if (chosen == nullptr) throw std::invalid_argument("unknown sort");
  // Each comma-separated part gets the direction: "created_at, id" DESC orders both.
  order_.clear();
  const std::string_view dir = direction == Direction::descending ? " DESC" : " ASC";
  std::string_view rest = chosen->sql.text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto part = rest.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (!order_.empty()) order_ += ", ";
    order_ += part;
    order_ += dir;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return *this;
}

QueryBuilder& QueryBuilder::limit(std::int64_t count) {
  if (count < 0) throw std::invalid_argument("negative limit");
  limit_ = count;
  return *this;
}

std::string QueryBuilder::sql() const {
  std::string sql = select_;
  for (std::size_t i = 0; i < conditions_.size(); ++i) {
    sql += i == 0 ? " WHERE (" : " AND (";
    sql += conditions_[i];
    sql += ')';
  }
  if (!order_.empty()) sql += " ORDER BY " + order_;
  if (limit_) sql += " LIMIT " + std::to_string(*limit_);  // a number the code holds
  return sql;
}

boost::asio::awaitable<Result> QueryBuilder::run(Database& database, const Scope& scope) const {
  // Sent unnamed: the text varies with the filters given, and PostgreSQL plans it with the
  // actual values (which prunes partitions by the time range).
  const std::string text = sql();
  const Statement statement{name_, text.c_str(), /*prepare=*/false};
  co_return co_await database.query(statement, params(), scope);
}

std::string QueryBuilder::text_array(std::span<const std::string> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace pend::db
