// Query parameters of the list routes: decoded values, unknown names refused, integer ranges,
// and cursors that round-trip and refuse what they did not make.
#include "http/query_params.hpp"
#include "http/api_error.hpp"

#include <gtest/gtest.h>

namespace pend::http {
namespace {

constexpr std::string_view kNames[] = {"window", "limit", "cursor"};

TEST(QueryParamsTest, DecodedValuesTheLastOfARepeatedName) {
  const QueryParams params("window=15m&limit=5&limit=7&cursor=a%2Bb", kNames);
  EXPECT_EQ(params.get("window"), "15m");
  EXPECT_EQ(params.integer("limit", 50, 1, 500), 7);
  EXPECT_EQ(params.get("cursor"), "a+b");
  EXPECT_FALSE(params.get("instance"));
  EXPECT_TRUE(QueryParams("", kNames).empty());
  EXPECT_EQ(QueryParams("", kNames).integer("limit", 50, 1, 500), 50);
}

TEST(QueryParamsTest, UnknownNamesAndBadIntegersAreRefused) {
  try {
    QueryParams("windw=15m", kNames);
    FAIL() << "an unknown name must be refused";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.status(), 400u);
    EXPECT_EQ(error.code(), "unknown_parameter");
  }
  for (const char* query : {"limit=0", "limit=501", "limit=ten", "limit=5x"}) {
    const QueryParams params(query, kNames);
    try {
      params.integer("limit", 50, 1, 500);
      FAIL() << query;
    } catch (const ApiError& error) {
      EXPECT_EQ(error.status(), 422u) << query;
    }
  }
}

}  // namespace
}  // namespace pend::http
