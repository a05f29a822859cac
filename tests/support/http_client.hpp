// Test HTTP client over a raw TCP socket, so tests can send exactly the bytes they mean
// (pipelining, malformed heads, slow clients) and read exactly what came back.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pend::test {

struct HttpResponse {
  unsigned status = 0;
  boost::beast::http::fields headers;
  std::string body;
  bool keep_alive = true;

  std::string header(std::string_view name) const;
  boost::json::value json() const;  // throws when the body is not JSON
};

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send(std::string_view bytes);
  // Reads one response; nullopt when the connection closed or timed out first.
  std::optional<HttpResponse> read_response(bool head_request = false);
  // True when the server closed the connection (EOF or reset) within the timeout.
  bool closed_by_peer();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
HttpResponse request(std::uint16_t port, std::string_view method, std::string_view target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     std::string_view body = {});

std::string build_request(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          std::string_view body = {});

}  // namespace pend::test
