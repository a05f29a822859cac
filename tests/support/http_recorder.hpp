// HttpRecorder: a small local HTTP server standing in for a service that cannot run here
// (Elasticsearch, an alert webhook): it records every request and answers each from the
// test's function (status and JSON body), one connection at a time; over TLS when given a
// certificate and key (PEM files), for the clients' https path.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pend::test {

using RecordedRequest = boost::beast::http::request<boost::beast::http::string_body>;

class HttpRecorder {
 public:
  // answer(request, n): the n-th request's (from 0) status and body.
  using Answer =
      std::function<std::pair<unsigned, std::string>(const RecordedRequest&, std::size_t)>;

  struct Tls {
    std::string certificate_file, key_file;
  };

  explicit HttpRecorder(Answer answer, std::optional<Tls> tls = std::nullopt);
  ~HttpRecorder();
  HttpRecorder(const HttpRecorder&) = delete;
  HttpRecorder& operator=(const HttpRecorder&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  // http://127.0.0.1:PORT/path (https:// with TLS); host: another name for 127.0.0.1.
  std::string url(std::string_view path = "/", std::string_view host = "127.0.0.1") const;
  std::vector<RecordedRequest> requests();

 private:
  void serve();
  template <typename Stream>
  void exchange(Stream& stream);

  Answer answer_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace pend::test
