// The plan's cache keys: api:{METHOD}:{endpoint}:{md5(params)}, blockchain:{type}:{id},
// metrics:{type}:{minute}; params canonical whatever their order in the query string.
#include "cache/cache_service.hpp"

#include <gtest/gtest.h>

namespace pend::cache {
namespace {

TEST(CacheKeysTest, ApiKeyIsMethodEndpointAndTheMd5OfTheCanonicalParams) {
  EXPECT_EQ(api_key("GET", "/api/v1/config", ""),
            "api:GET:/api/v1/config:99914b932bd37a50b983c5e7c90ae93b");  // md5("{}")
  EXPECT_EQ(canonical_params("b=2&a=1"), R"({"a":"1","b":"2"})");
  EXPECT_EQ(api_key("GET", "/x", "b=2&a=1"), "api:GET:/x:8018d630c38e45a64531824279891103");
}

TEST(CacheKeysTest, ParameterOrderDoesNotMatterButRepeatedValuesKeepTheirOrder) {
  EXPECT_EQ(api_key("GET", "/x", "a=1&b=2&c=3"), api_key("GET", "/x", "c=3&a=1&b=2"));
  EXPECT_EQ(canonical_params("b=x%20y&a=2&a=1"), R"({"a":["2","1"],"b":"x y"})");
  EXPECT_NE(api_key("GET", "/x", "a=1&a=2"), api_key("GET", "/x", "a=2&a=1"));
  EXPECT_EQ(api_key("GET", "/x", "a=%41"), api_key("GET", "/x", "a=A")) << "decoded first";
  EXPECT_NE(api_key("GET", "/x", "a=1"), api_key("GET", "/y", "a=1"));
  EXPECT_NE(api_key("GET", "/x", "a=1"), api_key("GET", "/x", "a=2"));
  EXPECT_NE(api_key("GET", "/x", "a"), api_key("GET", "/x", "a=1"));
}

TEST(CacheKeysTest, BlockchainAndMetricsKeys) {
  EXPECT_EQ(blockchain_key("block", "12345"), "blockchain:block:12345");
  const auto at =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'732'550'459'999));
  EXPECT_EQ(metrics_key("api", at), "metrics:api:28875840");  // floor(ms / 60000)
  EXPECT_EQ(metrics_key("api", at + std::chrono::milliseconds(1)), "metrics:api:28875841");
}

}  // namespace
}  // namespace pend::cache
