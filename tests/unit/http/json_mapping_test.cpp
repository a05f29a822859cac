// Typed bodies and queries: every problem collected with its field path (every member but a
// std::optional one is required), unknown fields and parameters refused, types and ranges checked,
// validate() run for rules beyond types, and the schema the OpenAPI test compares.
#include "http/json_mapping.hpp"
#include "http/api_error.hpp"
#include "http/query.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pend::http {
namespace {

enum class Tier : std::uint8_t { basic, plus };
BOOST_DESCRIBE_ENUM(Tier, basic, plus)

struct Item {
  static constexpr std::string_view kSchema = "Item";
  std::string name;
  std::uint32_t count = 0;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, count))

struct Order {
  static constexpr std::string_view kSchema = "Order";
  std::string id;
  Tier tier = Tier::basic;
  std::optional<std::string> note;
  std::vector<Item> items;
  std::optional<util::Microseconds> at;
  double price = 0;
  bool gift = false;
  void validate(Problems& problems) const {
    if (items.empty()) problems.add("items", "too_short", "must hold at least one item");
  }
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, tier, note, items, at, price, gift))

std::vector<std::string> problems_of(std::string_view json) {
  Order order;
  Problems problems;
  decode(boost::json::parse(json), order, {}, problems);
  std::vector<std::string> out;
  for (const auto& p : problems.all()) out.push_back(p.field + " " + p.code);
  return out;
}

TEST(JsonMappingTest, DecodesAValidBody) {
  Order order;
  Problems problems;
  decode(boost::json::parse(R"({"id":"o1","tier":"plus","items":[{"name":"a","count":2}],
      "at":"2026-12-04T19:43:17Z","price":10.5,"gift":true,"note":null})"),
         order, {}, problems);
  EXPECT_TRUE(problems.empty()) << problems.all().front().message;
  EXPECT_EQ(order.id, "o1");
  EXPECT_EQ(order.tier, Tier::plus);
  EXPECT_FALSE(order.note);
  ASSERT_EQ(order.items.size(), 1u);
  EXPECT_EQ(order.items[0].count, 2u);
  EXPECT_EQ(util::format_rfc3339(*order.at), "2026-12-04T19:43:17.000Z");
  EXPECT_DOUBLE_EQ(order.price, 10.5);
}

TEST(JsonMappingTest, CollectsEveryProblemWithItsPath) {
  EXPECT_EQ(problems_of(R"({"tier":"gold","items":[{"name":1,"count":-1,"extra":0}],
      "price":"10","gift":1,"surprise":true,"at":"yesterday"})"),
            (std::vector<std::string>{
                "id required", "tier invalid_value", "items[0].name invalid_type",
                "items[0].count out_of_range", "items[0].extra unknown_field", "at invalid_value",
                "price invalid_type", "gift invalid_type", "surprise unknown_field"}));
  EXPECT_EQ(problems_of(R"({"id":"x","tier":"basic","price":1,"gift":false,
      "items":[{"name":"a","count":4294967296}]})"),
            (std::vector<std::string>{"items[0].count out_of_range"}));
  EXPECT_EQ(problems_of(R"({"id":"a\u0000b","tier":"basic","price":1,"gift":false,
      "items":[{"name":"a","count":1}]})"),
            (std::vector<std::string>{"id invalid_value"}))
      << "NUL cannot be stored in a text column";
  EXPECT_EQ(problems_of(R"([1,2])"), (std::vector<std::string>{" invalid_type"}));
}

TEST(JsonMappingTest, ValidateRunsOnceTheTypesAreRight) {
  EXPECT_EQ(problems_of(R"({"id":"x","tier":"basic","price":1,"gift":false,"items":[]})"),
            (std::vector<std::string>{"items too_short"}));
  EXPECT_EQ(problems_of(R"({"tier":"basic","price":1,"gift":false,"items":[]})"),
            (std::vector<std::string>{"id required"}))
      << "no rule checks on a body whose types are wrong";
  EXPECT_EQ(problems_of(R"({"id":"x","tier":"basic","price":1,"gift":false,"items":[],"idd":1})"),
            (std::vector<std::string>{"idd unknown_field", "items too_short"}))
      << "an unknown field changes no member: the rules still run";
}

TEST(JsonMappingTest, EncodesMembersInOrderWithNullForEmpty) {
  Order order{.id = "o1", .tier = Tier::plus, .items = {{"a", 2}}, .price = 0.7};
  EXPECT_EQ(encode(order),
            boost::json::parse(R"({"id":"o1","tier":"plus","note":null,"items":[{"name":"a",
                "count":2}],"at":null,"price":0.7,"gift":false})"));
}

TEST(JsonMappingTest, SchemaNamesTypesAndRequiredMembers) {
  const auto& schema = schema_of<Order>();
  EXPECT_EQ(schema.name, "Order");
  ASSERT_EQ(schema.fields.size(), 7u);
  EXPECT_EQ(schema.field("tier")->type, "string");
  EXPECT_TRUE(schema.field("tier")->required);
  EXPECT_FALSE(schema.field("note")->required);
  EXPECT_EQ(schema.field("items")->type, "array");
  EXPECT_EQ(schema.field("items")->items, "Item");
  EXPECT_EQ(schema.field("price")->type, "number");
  EXPECT_EQ(schema.field("at")->type, "string");
  EXPECT_EQ(schema.field("nothing"), nullptr);
}

struct Search {
  static constexpr std::string_view kSchema = "Search";
  std::optional<std::int64_t> limit;
  std::optional<bool> exact;
  std::optional<Tier> tier;
  std::optional<std::string> q;
  void validate(Problems& problems) const {
    if (limit && *limit > 100) problems.add("limit", "out_of_range", "at most 100");
  }
};
BOOST_DESCRIBE_STRUCT(Search, (), (limit, exact, tier, q))

TEST(QueryDecodingTest, TypedParametersAndUnknownNamesRefused) {
  const auto search = decode_query<Search>("limit=20&exact=true&tier=plus&q=a%20b");
  EXPECT_EQ(search.limit, 20);
  EXPECT_EQ(search.exact, true);
  EXPECT_EQ(search.tier, Tier::plus);
  EXPECT_EQ(search.q, "a b");
  try {
    decode_query<Search>("limt=20");
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.status(), 400u);
    EXPECT_EQ(error.code(), "unknown_parameter");
  }
  try {
    decode_query<Search>("limit=x&exact=maybe&tier=gold");
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.status(), 422u);
    ASSERT_EQ(error.details().size(), 3u);
    EXPECT_EQ(error.details()[0].at("field"), "limit");
    EXPECT_EQ(error.details()[1].at("field"), "exact");
    EXPECT_EQ(error.details()[2].at("field"), "tier");
  }
  EXPECT_THROW(decode_query<Search>("limit=101"), ApiError) << "validate() ran";
}

}  // namespace
}  // namespace pend::http
