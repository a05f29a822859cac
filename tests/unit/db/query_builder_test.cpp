// The query builder never puts request text into SQL: conditions and sorts are literals of
// the code, values are bound parameters numbered in order, and a sort not in the allow-list
// is refused. Table-driven with the texts an attacker would try.
#include "db/query_builder.hpp"

#include <gtest/gtest.h>

namespace pend::db {
namespace {

constexpr SortOption kSorts[] = {{"created_at", "created_at, id"}, {"tier", "tier, id"}};

TEST(QueryBuilderTest, OptionalFiltersCombineWithBoundValues) {
  QueryBuilder q{"users.search", "SELECT id FROM users"};
  q.where("created_at >= $ AND created_at < $", std::string{"2026-01-01"}, "2026-02-01");
  q.where("tier = $", std::int64_t{3});
  q.order_by("tier", kSorts, Direction::descending).limit(51);
  EXPECT_EQ(q.sql(),
            "SELECT id FROM users WHERE (created_at >= $1 AND created_at < $2) AND (tier = $3) "
            "ORDER BY tier DESC, id DESC LIMIT 51");
  ASSERT_EQ(q.params().size(), 3u);
  EXPECT_EQ(q.params()[0].text(), "2026-01-01");
  EXPECT_EQ(q.params()[2].kind(), Param::Kind::int8);
}

TEST(QueryBuilderTest, HostileTextOnlyEverBecomesAParameter) {
  const std::vector<std::string> hostile = {"' OR '1'='1",       "x'; DROP TABLE users; --",
                                            "/* comment */ 1",   "$1",
                                            "\\'; SELECT 1; --", "a\"b",
                                            "1) OR (1=1"};
  for (const auto& text : hostile) {
    QueryBuilder q{"users.search", "SELECT id FROM users"};
    q.where("status = $", text);
    q.where("email ILIKE $ || '%'", text);
    EXPECT_EQ(q.sql(), "SELECT id FROM users WHERE (status = $1) AND (email ILIKE $2 || '%')")
        << text;
    ASSERT_EQ(q.params().size(), 2u);
    EXPECT_EQ(q.params()[0].text(), text);
    EXPECT_EQ(q.params()[1].text(), text);
    EXPECT_THROW(q.order_by(text, kSorts, Direction::ascending), std::invalid_argument) << text;
  }
}

TEST(QueryBuilderTest, SortsComeFromTheAllowListOnly) {
  QueryBuilder q{"users.search", "SELECT id FROM users"};
  q.order_by("", kSorts, Direction::ascending);
  EXPECT_EQ(q.sql(), "SELECT id FROM users ORDER BY created_at ASC, id ASC") << "the first";
  EXPECT_THROW(q.order_by("created_at; DROP TABLE users", kSorts, Direction::ascending),
               std::invalid_argument);
}

TEST(QueryBuilderTest, PlaceholdersMustMatchValues) {
  QueryBuilder q{"t", "SELECT 1"};
  EXPECT_THROW(q.where("a = $ AND b = $", 1), std::invalid_argument);
  EXPECT_THROW(q.where("a = $"), std::invalid_argument);
  EXPECT_EQ(QueryBuilder::text_array(std::vector<std::string>{"a", "b\"c", "d\\e"}),
            R"({"a","b\"c","d\\e"})");
}

}  // namespace
}  // namespace pend::db
