// Keyset cursors: opaque, URL-safe, and refused when they are not this list's.
#include "domain/common/pagination.hpp"

#include <gtest/gtest.h>

namespace pend::domain {
namespace {

TEST(PaginationTest, CursorsRoundTripAndRefuseOthers) {
  const std::vector<std::string> values{"/api/v1/config", "GET"};
  const std::string cursor = encode_cursor(values);
  EXPECT_EQ(cursor.find_first_of("+/="), std::string::npos) << "URL-safe: " << cursor;
  EXPECT_EQ(parse_cursor(cursor, 2), values);
  EXPECT_FALSE(parse_cursor(cursor, 3)) << "another list's cursor";
  EXPECT_FALSE(parse_cursor("not base64!", 2));
  EXPECT_FALSE(parse_cursor(encode_cursor({"a"}) + "x", 1));
  EXPECT_FALSE(parse_cursor("", 2));
}

}  // namespace
}  // namespace pend::domain
