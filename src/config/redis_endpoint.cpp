#include "config/redis_endpoint.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace pend::config {

std::string RedisEndpoint::describe() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" +
         std::to_string(database);
}

std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error) {
  auto fail = [error](std::string message) -> std::optional<RedisEndpoint> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  const auto parsed = boost::urls::parse_uri(boost::urls::string_view(url.data(), url.size()));
  if (!parsed) return fail("not a URL");
  if (parsed->scheme() != "redis") {
    return fail("scheme must be redis:// (for TLS, run a local TLS tunnel such as stunnel)");
  }
  RedisEndpoint endpoint;
  if (!parsed->host_address().empty()) endpoint.host = parsed->host_address();
  if (parsed->has_port()) {
    const auto port = parsed->port_number();
    if (port == 0) return fail("port must be 1-65535");
    endpoint.port = port;
  }
  endpoint.user = parsed->user();
  endpoint.password = parsed->password();
  std::string_view path = parsed->encoded_path();
  if (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) {
    const auto [end, ec] =
        std::from_chars(path.data(), path.data() + path.size(), endpoint.database);
    if (ec != std::errc{} || end != path.data() + path.size() || endpoint.database > 1000) {
      return fail("the path must be a database number, as in redis://host:6379/0");
    }
  }
  return endpoint;
}

}  // namespace pend::config
