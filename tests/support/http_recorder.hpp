// HttpRecorder: a small local HTTP server standing in for a service that cannot run here
// (Elasticsearch, an alert webhook): it records every request and answers each from the
// test's function (status and JSON body), one connection at a time.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <functional>
#include <mutex>
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

  explicit HttpRecorder(Answer answer);
  ~HttpRecorder();
  HttpRecorder(const HttpRecorder&) = delete;
  HttpRecorder& operator=(const HttpRecorder&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(std::string_view path = "/") const;
  std::vector<RecordedRequest> requests();

 private:
  void serve();

  Answer answer_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace pend::test
