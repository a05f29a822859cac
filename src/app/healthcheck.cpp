#include "app/healthcheck.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

namespace pend::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

asio::awaitable<HealthcheckResult> get(std::string host, std::string port, std::string target,
                                       std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  beast_http::request<beast_http::empty_body> request{beast_http::verb::get, target, 11};
  request.set(beast_http::field::host, host);
  request.set(beast_http::field::user_agent, "pend-server-healthcheck");
  request.keep_alive(false);
  co_await beast_http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  beast_http::response<beast_http::string_body> response;
  co_await beast_http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return HealthcheckResult{response.result_int() == 200, response.result_int(),
                              std::move(response.body())};
}

}  // namespace

HealthcheckResult run_healthcheck(const std::string& url, std::chrono::milliseconds timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http") {
    return {false, 0, "not an http:// URL: " + url};
  }
  const std::string host = parsed->host_address();  // IPv6 without brackets
  const std::string port = parsed->has_port() ? std::string{parsed->port()} : "80";
  std::string target = parsed->encoded_path().empty() ? "/" : std::string{parsed->encoded_path()};
  if (parsed->has_query()) target += "?" + std::string{parsed->encoded_query()};

  asio::io_context io;
  HealthcheckResult result{false, 0, "no answer within " + std::to_string(timeout.count()) + " ms"};
  asio::co_spawn(io, get(host, port, target, timeout),
                 [&](std::exception_ptr error, HealthcheckResult outcome) {
                   if (!error) {
                     result = std::move(outcome);
                     return;
                   }
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     result.body = e.what();
                   }
                 });
  io.run_for(timeout);
  return result;
}

}  // namespace pend::app
