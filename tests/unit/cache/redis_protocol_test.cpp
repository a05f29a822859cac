// What the Redis client writes (RESP) and which URLs it accepts.
#include "cache/redis_connection.hpp"
#include "config/redis_endpoint.hpp"

#include <gtest/gtest.h>

namespace pend::cache {
namespace {

TEST(RedisProtocolTest, CommandsAreArraysOfBulkStringsWithIntegersFormatted) {
  Pipeline pipeline;
  pipeline.add("SET", "k", std::string("v\r\nx"), "PX", 30'000).add("PING");
  EXPECT_EQ(pipeline.size(), 2u);
  EXPECT_EQ(pipeline.wire(),
            "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nv\r\nx\r\n$2\r\nPX\r\n$5\r\n30000\r\n"
            "*1\r\n$4\r\nPING\r\n");
}

TEST(RedisProtocolTest, UrlsWithCredentialsAndDatabase) {
  auto e = config::parse_redis_url("redis://app:p%40ss@cache.internal:6380/3");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->user, "app");
  EXPECT_EQ(e->password, "p@ss");
  EXPECT_EQ(e->database, 3u);
  EXPECT_EQ(e->describe(), "cache.internal:6380/3") << "never the credentials";

  e = config::parse_redis_url("redis://:secret@[::1]");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 6379);
  EXPECT_TRUE(e->user.empty());
  EXPECT_EQ(e->password, "secret");
  EXPECT_EQ(e->database, 0u);
}

TEST(RedisProtocolTest, UnusableUrlsAreRefusedWithAReason) {
  std::string error;
  EXPECT_FALSE(config::parse_redis_url("rediss://cache:6379", &error));
  EXPECT_NE(error.find("TLS"), std::string::npos);
  EXPECT_FALSE(config::parse_redis_url("redis://cache:6379/zero", &error));
  EXPECT_NE(error.find("database number"), std::string::npos);
  EXPECT_FALSE(config::parse_redis_url("http://cache", &error));
  EXPECT_FALSE(config::parse_redis_url("not a url", &error));
}

}  // namespace
}  // namespace pend::cache
