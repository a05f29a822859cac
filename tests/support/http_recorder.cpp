#include "support/http_recorder.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace pend::test {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using asio::ip::tcp;

HttpRecorder::HttpRecorder(Answer answer, std::optional<Tls> tls)
    : answer_(std::move(answer)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
  if (tls) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->use_certificate_chain_file(tls->certificate_file);
    tls_->use_private_key_file(tls->key_file, asio::ssl::context::pem);
  }
  thread_ = std::thread([this] { serve(); });
}

HttpRecorder::~HttpRecorder() {
  stopping_ = true;
  boost::system::error_code ignored;
  tcp::socket poke(io_);
  poke.connect(acceptor_.local_endpoint(), ignored);  // wakes the accept
  thread_.join();
}

std::string HttpRecorder::url(std::string_view path, std::string_view host) const {
  return (tls_ ? "https://" : "http://") + std::string{host} + ":" + std::to_string(port()) +
         std::string{path};
}

std::vector<RecordedRequest> HttpRecorder::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

template <typename Stream>
void HttpRecorder::exchange(Stream& stream) {
  boost::system::error_code ec;
  boost::beast::flat_buffer buffer;
  RecordedRequest request;
  beast_http::read(stream, buffer, request, ec);
  if (ec) return;
  std::size_t n;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    n = requests_.size() - 1;
  }
  const auto [status, body] = answer_(request, n);
  beast_http::response<beast_http::string_body> response{static_cast<beast_http::status>(status),
                                                         11};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = body;
  response.prepare_payload();
  beast_http::write(stream, response, ec);
}

void HttpRecorder::serve() {
  while (!stopping_) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec || stopping_) return;
    if (!tls_) {
      exchange(socket);
      continue;
    }
    asio::ssl::stream<tcp::socket&> stream(socket, *tls_);
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (!ec) exchange(stream);  // a client that refused the certificate: nothing to record
  }
}

}  // namespace pend::test
