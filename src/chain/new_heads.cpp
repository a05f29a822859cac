#include "chain/new_heads.hpp"

#include "chain/quantity.hpp"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <variant>

namespace pend::chain {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using asio::ip::tcp;

struct NewHeads::Socket {
  asio::io_context loop;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::variant<std::monostate, websocket::stream<tcp::socket>,
               websocket::stream<asio::ssl::stream<tcp::socket>>>
      ws;
  beast::flat_buffer buffer;
  std::string subscription;
  std::optional<std::uint64_t> highest;  // since the last wait()
  std::uint64_t received = 0;
  std::string error;  // the connection broke

  void read();  // the one read always pending once subscribed

  // Runs the loop until done or the timeout; a timeout closes the socket.
  bool run(std::chrono::milliseconds timeout, const bool& done) {
    loop.restart();
    loop.run_for(timeout);
    if (done) return true;
    std::visit(
        [](auto& s) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
            boost::system::error_code ignored;
            beast::get_lowest_layer(s).close(ignored);
          }
        },
        ws);
    loop.restart();
    loop.run();
    return false;
  }
};

NewHeads::NewHeads(const std::string& url, std::chrono::milliseconds timeout)
    : socket_(std::make_unique<Socket>()) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "ws" && parsed->scheme() != "wss") || parsed->host().empty())
    throw SubscriptionError("the WebSocket URL must be ws(s)://host[:port][/path]");
  const bool tls = parsed->scheme() == "wss";
  const std::string host = parsed->host_address();
  const std::string port = parsed->has_port() ? std::string{parsed->port()} : (tls ? "443" : "80");
  std::string path = parsed->encoded_path().empty() ? "/" : std::string{parsed->encoded_path()};
  if (parsed->has_query()) path += "?" + std::string{parsed->encoded_query()};

  auto& s = *socket_;
  boost::system::error_code ec;
  s.tls.set_default_verify_paths(ec);
  s.tls.set_verify_mode(asio::ssl::verify_peer);
  std::string error;
  bool done = false;
  const auto fail = [&](const char* step, const boost::system::error_code& e) {
    error = std::string{step} + ": " + e.message();
  };
  const std::string subscribe =
      R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]})";
  tcp::resolver resolver(s.loop);
  const auto handshake = [&](auto& stream) {
    stream.async_handshake(host, path, [&](auto e) {
      if (e) return fail("WebSocket handshake", e);
      stream.async_write(asio::buffer(subscribe), [&](auto e, auto) {
        if (e) return fail("subscribe", e);
        stream.async_read(s.buffer, [&](auto e, auto) {
          if (e) return fail("subscribe", e);
          done = true;
        });
      });
    });
  };
  const auto connect = [&](auto& stream) {
    resolver.async_resolve(host, port, [&](auto e, auto endpoints) {
      if (e) return fail("resolve", e);
      asio::async_connect(beast::get_lowest_layer(stream), endpoints, [&](auto e, auto) {
        if (e) return fail("connect", e);
        if constexpr (std::is_same_v<std::decay_t<decltype(stream)>,
                                     websocket::stream<asio::ssl::stream<tcp::socket>>>) {
          stream.next_layer().async_handshake(asio::ssl::stream_base::client, [&](auto e) {
            if (e) return fail("TLS handshake", e);
            handshake(stream);
          });
        } else {
          handshake(stream);
        }
      });
    });
  };
  if (tls) {
    auto& stream = s.ws.emplace<2>(s.loop, s.tls);
    SSL_set_tlsext_host_name(stream.next_layer().native_handle(), host.c_str());
    SSL_set1_host(stream.next_layer().native_handle(), host.c_str());
    connect(stream);
  } else {
    connect(s.ws.emplace<1>(s.loop));
  }
  if (!s.run(timeout, done))
    throw SubscriptionError(error.empty() ? "no subscription within the timeout" : error);
  // {"jsonrpc":"2.0","id":1,"result":"0x..."}
  const auto answer = json::parse(beast::buffers_to_string(s.buffer.data()), ec);
  s.buffer.clear();
  const auto* object = answer.if_object();
  const auto* result = object ? object->if_contains("result") : nullptr;
  if (ec || result == nullptr || !result->is_string())
    throw SubscriptionError("the node refused eth_subscribe newHeads");
  s.subscription = result->as_string();
  s.read();
}

void NewHeads::Socket::read() {
  std::visit(
      [&](auto& stream) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(stream)>, std::monostate>) {
          stream.async_read(buffer, [this](auto e, auto) {
            if (e) {
              error = "read: " + e.message();
              return;
            }
            boost::system::error_code ec;
            const auto message = json::parse(beast::buffers_to_string(buffer.data()), ec);
            buffer.clear();
            // {"method":"eth_subscription","params":{"subscription":ID,"result":HEAD}}
            const auto* object = message.if_object();
            const auto* params = object ? object->if_contains("params") : nullptr;
            const auto* p = params ? params->if_object() : nullptr;
            const auto* head = p ? p->if_contains("result") : nullptr;
            const auto* h = head ? head->if_object() : nullptr;
            const auto* number = h ? h->if_contains("number") : nullptr;
            if (number != nullptr && number->is_string()) {
              if (const auto n = quantity_u64(number->as_string())) {
                ++received;
                highest = std::max(highest.value_or(0), *n);
              }
            }
            read();
          });
        }
      },
      ws);
}

NewHeads::~NewHeads() {
  auto& s = *socket_;
  std::visit(
      [](auto& stream) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(stream)>, std::monostate>) {
          boost::system::error_code ignored;
          beast::get_lowest_layer(stream).close(ignored);
        }
      },
      s.ws);
  s.loop.restart();
  s.loop.run();  // the pending read ends (aborted) before the socket goes
}

std::uint64_t NewHeads::received() const { return socket_->received; }

std::optional<std::uint64_t> NewHeads::wait(std::chrono::milliseconds timeout) {
  auto& s = *socket_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  s.loop.restart();
  while (!s.highest && s.error.empty()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    if (s.loop.run_one_for(deadline - now) == 0) break;  // the timeout, or nothing pending
  }
  s.loop.poll();  // what else already arrived
  if (!s.error.empty()) throw SubscriptionError(s.error);
  return std::exchange(s.highest, std::nullopt);
}

}  // namespace pend::chain
