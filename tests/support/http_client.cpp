#include "support/http_client.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace pend::test {

namespace beast_http = boost::beast::http;

std::string HttpResponse::header(std::string_view name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string{} : std::string{it->value()};
}

boost::json::value HttpResponse::json() const { return boost::json::parse(body); }

RawConnection::RawConnection(std::uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string{"socket: "} + std::strerror(errno));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("connect: " + reason);
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string{"send: "} + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<HttpResponse> RawConnection::read_response(bool head_request) {
  beast_http::response_parser<beast_http::string_body> parser;
  parser.skip(head_request);
  parser.body_limit(64 * 1024 * 1024);
  boost::system::error_code ec;
  while (true) {
    if (!buffer_.empty()) {
      const auto used = parser.put(boost::asio::buffer(buffer_), ec);
      buffer_.erase(0, used);
      if (ec == beast_http::error::need_more) ec = {};
      if (ec) return std::nullopt;
      if (parser.is_done()) break;
      if (used > 0) continue;
    }
    char chunk[16 * 1024];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0 && parser.is_header_done() && !parser.is_done()) {
        parser.put_eof(ec);  // a body delimited by close
        if (!ec && parser.is_done()) break;
      }
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  auto message = parser.release();
  HttpResponse response;
  response.status = message.result_int();
  response.keep_alive = message.keep_alive();
  for (const auto& field : message) response.headers.insert(field.name_string(), field.value());
  response.body = std::move(message.body());
  return response;
}

bool RawConnection::closed_by_peer() {
  char chunk[4096];
  while (true) {
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;  // EAGAIN: still open at the timeout
  }
}

std::string build_request(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view body) {
  std::string raw{method};
  raw += ' ';
  raw += target;
  raw += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_length = false;
  for (const auto& [name, value] : headers) {
    raw += name + ": " + value + "\r\n";
    has_length = has_length || strcasecmp(name.c_str(), "Content-Length") == 0 ||
                 strcasecmp(name.c_str(), "Transfer-Encoding") == 0;
  }
  if (!body.empty() && !has_length)
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "\r\n";
  raw += body;
  return raw;
}

HttpResponse request(std::uint16_t port, std::string_view method, std::string_view target,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view body) {
  RawConnection connection(port);
  connection.send(build_request(method, target, headers, body));
  auto response = connection.read_response(method == "HEAD");
  if (!response)
    throw std::runtime_error("no response to " + std::string{method} + " " + std::string{target});
  return std::move(*response);
}

}  // namespace pend::test
