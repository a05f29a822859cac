#include "health/dependency_probes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <cstring>
#include <optional>

namespace pend::health {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Target {
  std::string host;  // name or address; a directory for a Unix socket
  std::string port;
  std::string user;
  std::string password;
};

std::optional<Target> parse_target(std::string_view url, std::string_view default_port,
                                   std::string_view default_host) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  Target target;
  target.host = parsed->host_address();  // IPv6 without brackets
  target.port = parsed->has_port() ? std::string{parsed->port()} : std::string{default_port};
  target.user = parsed->user();
  target.password = parsed->password();
  for (const auto& param : parsed->params()) {
    if (param.key == "host") target.host = param.value;  // libpq: a socket directory
    if (param.key == "port") target.port = param.value;
  }
  if (target.host.empty()) target.host = default_host;
  return target;
}

// Connects to the target over TCP, or over a Unix socket when host is a directory, and runs
// the exchange on the connected stream.
template <typename Exchange>
asio::awaitable<CheckResult> with_connection(const Target& target, std::string_view socket_name,
                                             Exchange exchange) {
  auto executor = co_await asio::this_coro::executor;
  if (!target.host.empty() && target.host.front() == '/') {
    asio::local::stream_protocol::socket socket(executor);
    const std::string path = target.host + "/" + std::string{socket_name} + target.port;
    auto [ec] = co_await socket.async_connect(path, kUseTuple);
    if (ec) co_return CheckResult{false, "cannot connect to " + path + ": " + ec.message()};
    co_return co_await exchange(socket);
  }
  tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(target.host, target.port, kUseTuple);
  if (resolve_ec) {
    co_return CheckResult{false, "cannot resolve " + target.host + ": " + resolve_ec.message()};
  }
  tcp::socket socket(executor);
  auto [ec, endpoint] = co_await asio::async_connect(socket, endpoints, kUseTuple);
  if (ec) {
    co_return CheckResult{
        false, "cannot connect to " + target.host + ":" + target.port + ": " + ec.message()};
  }
  co_return co_await exchange(socket);
}

std::string resp_command(std::initializer_list<std::string_view> words) {
  std::string out = "*" + std::to_string(words.size()) + "\r\n";
  for (const auto word : words) {
    out += "$" + std::to_string(word.size()) + "\r\n";
    out += word;
    out += "\r\n";
  }
  return out;
}

}  // namespace

asio::awaitable<CheckResult> probe_redis(std::string url, std::chrono::milliseconds) {
  const auto target = parse_target(url, "6379", "127.0.0.1");
  if (!target) co_return CheckResult{false, "REDIS_URL is not a valid URL"};
  co_return co_await with_connection(
      *target, "", [&target](auto& socket) -> asio::awaitable<CheckResult> {
        std::string request;
        const bool auth = !target->password.empty();
        if (auth) {
          request = target->user.empty() ? resp_command({"AUTH", target->password})
                                         : resp_command({"AUTH", target->user, target->password});
        }
        request += resp_command({"PING"});
        auto [write_ec, written] =
            co_await asio::async_write(socket, asio::buffer(request), kUseTuple);
        if (write_ec) co_return CheckResult{false, "write failed: " + write_ec.message()};
        std::string buffer;
        for (int reply = 0; reply < (auth ? 2 : 1); ++reply) {
          auto [read_ec, n] = co_await asio::async_read_until(
              socket, asio::dynamic_buffer(buffer, 4096), "\r\n", kUseTuple);
          if (read_ec) co_return CheckResult{false, "no answer: " + read_ec.message()};
          const std::string line = buffer.substr(0, n - 2);
          buffer.erase(0, n);
          if (line.starts_with("-NOAUTH"))
            co_return CheckResult{false, "Redis requires a password"};
          if (line.starts_with("-WRONGPASS") || line.starts_with("-ERR invalid password")) {
            co_return CheckResult{false, "Redis refused the credentials"};
          }
          if (line.starts_with("-")) co_return CheckResult{false, "Redis error: " + line.substr(1)};
          if (reply == (auth ? 1 : 0) && line != "+PONG") {
            co_return CheckResult{false, "the server did not answer like Redis"};
          }
        }
        co_return CheckResult{true, {}};
      });
}

}  // namespace pend::health
