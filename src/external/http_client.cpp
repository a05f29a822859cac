#include "external/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <type_traits>

namespace pend::external {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using asio::ip::tcp;

namespace {

struct Target {
  bool tls = false;
  std::string host, port, path, authorization;
};

std::optional<Target> target_of(const std::string& text, std::string& error) {
  const auto url = boost::urls::parse_uri(text);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty()) {
    error = "the URL must be http(s)://host[:port][/path]";
    return std::nullopt;
  }
  Target target;
  target.tls = url->scheme() == "https";
  target.host = url->host_address();
  target.port = url->has_port() ? std::string{url->port()} : (target.tls ? "443" : "80");
  target.path = url->encoded_path().empty() ? "/" : std::string{url->encoded_path()};
  if (url->has_query()) target.path += "?" + std::string{url->encoded_query()};
  if (url->has_userinfo()) {
    const std::string credentials = std::string{url->user()} + ":" + std::string{url->password()};
    std::string encoded(beast::detail::base64::encoded_size(credentials.size()), '\0');
    encoded.resize(
        beast::detail::base64::encode(encoded.data(), credentials.data(), credentials.size()));
    target.authorization = "Basic " + encoded;
  }
  return target;
}

// Runs the exchange on stream (a socket, or a TLS stream over one, which shakes hands first)
// until done or timeout.
template <typename Stream>
HttpResponse exchange(asio::io_context& loop, Stream& stream, tcp::socket& socket,
                      const Target& target, beast_http::request<beast_http::string_body>& request,
                      std::chrono::milliseconds timeout) {
  HttpResponse out;
  tcp::resolver resolver(loop);
  beast::flat_buffer buffer;
  beast_http::response<beast_http::string_body> response;
  bool done = false;
  const auto fail = [&](const char* step, const boost::system::error_code& ec) {
    out.error = std::string{step} + ": " + ec.message();
  };
  const auto read_and_write = [&] {
    beast_http::async_write(stream, request, [&](auto ec, auto) {
      if (ec) return fail("write", ec);
      beast_http::async_read(stream, buffer, response, [&](auto ec, auto) {
        if (ec) return fail("read", ec);
        done = true;
      });
    });
  };
  resolver.async_resolve(target.host, target.port, [&](auto ec, auto endpoints) {
    if (ec) return fail("resolve", ec);
    asio::async_connect(socket, endpoints, [&](auto ec, auto) {
      if (ec) return fail("connect", ec);
      if constexpr (std::is_same_v<Stream, asio::ssl::stream<tcp::socket>>) {
        stream.async_handshake(asio::ssl::stream_base::client, [&](auto ec) {
          if (ec) return fail("TLS handshake", ec);
          read_and_write();
        });
      } else {
        read_and_write();
      }
    });
  });
  loop.run_for(timeout);
  if (!done) {
    if (out.error.empty())
      out.error = "no answer within " + std::to_string(timeout.count()) + " ms";
    return out;
  }
  out.status = response.result_int();
  out.body = std::move(response.body());
  return out;
}

}  // namespace

HttpResponse HttpClient::send(const HttpRequest& request, std::chrono::milliseconds timeout,
                              std::chrono::nanoseconds* elapsed) const {
  const auto started = std::chrono::steady_clock::now();
  HttpResponse out;
  std::string error;
  const auto target = target_of(request.url, error);
  if (!target) {
    out.error = error;
    return out;
  }
  beast_http::request<beast_http::string_body> message{beast_http::string_to_verb(request.method),
                                                       target->path, 11};
  message.set(beast_http::field::host, target->host);
  message.set(beast_http::field::user_agent, "pend-server");
  if (!request.content_type.empty())
    message.set(beast_http::field::content_type, request.content_type);
  if (!target->authorization.empty())
    message.set(beast_http::field::authorization, target->authorization);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();

  asio::io_context loop;
  if (target->tls) {
    asio::ssl::context context(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (ca_file_.empty())
      context.set_default_verify_paths(ec);
    else
      context.load_verify_file(ca_file_, ec);
    if (ec) {
      out.error = "TLS: cannot load the trusted certificates: " + ec.message();
      return out;
    }
    context.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(loop, context);
    // The certificate must name the host: an address against its IP entries, a name against
    // its DNS entries (and sent as SNI, which takes names only).
    boost::system::error_code not_address;
    asio::ip::make_address(target->host, not_address);
    if (!not_address) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), target->host.c_str());
    } else {
      SSL_set_tlsext_host_name(stream.native_handle(), target->host.c_str());
      SSL_set1_host(stream.native_handle(), target->host.c_str());
    }
    out = exchange(loop, stream, stream.next_layer(), *target, message, timeout);
  } else {
    tcp::socket socket(loop);
    out = exchange(loop, socket, socket, *target, message, timeout);
  }
  if (elapsed != nullptr) *elapsed += std::chrono::steady_clock::now() - started;
  return out;
}

}  // namespace pend::external
