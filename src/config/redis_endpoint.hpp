// RedisEndpoint: where and as whom to connect, parsed from REDIS_URL
// (redis://[[user]:password@]host[:port][/db]).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::config {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string user;      // ACL user; empty: AUTH with the password alone
  std::string password;  // secret
  unsigned database = 0;

  // host:port/db, never the credentials: for logs and errors.
  std::string describe() const;
};

// Empty with *error set when url is not a redis:// URL this client can use.
std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error = nullptr);

}  // namespace pend::config
