#include "http/shard.hpp"

#include "http/address_limiter.hpp"
#include "http/connection.hpp"
#include "http/server.hpp"
#include "logging/crash_handler.hpp"
#include "logging/logger.hpp"
#include "util/ids.hpp"
#include "util/thread_name.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace pend::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

int open_reserve_fd() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE || ec.value() == ENOBUFS ||
         ec.value() == ENOMEM;
}

}  // namespace

void refuse_connection(int fd) {
  // Read what already arrived so that close() sends FIN, not RST, and the client sees the 503.
  char scratch[4096];
  while (::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }
  static constexpr std::string_view kBody =
      R"({"error":{"code":"over_capacity","message":"the server is at its connection limit; retry shortly","request_id":")";
  const std::string id = util::new_request_id();
  std::string body{kBody};
  body += id;
  body += "\"}}";
  std::string response =
      "HTTP/1.1 503 Service Unavailable\r\n"
      "Content-Type: application/json; charset=utf-8\r\n"
      "Retry-After: 1\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n"
      "X-Request-Id: " +
      id + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  response += body;
  [[maybe_unused]] const auto sent =
      ::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

Shard::Shard(const config::ServerSettings& settings, const RequestPipeline& pipeline,
             ServerCounters& counters, AddressLimiter& addresses)
    : settings_(settings),
      pipeline_(pipeline),
      counters_(counters),
      addresses_(addresses),
      io_(std::make_unique<asio::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO)),
      reserve_fd_(open_reserve_fd()) {}

Shard::~Shard() {
  // Pending coroutines (connections) die with the io_context and detach themselves from
  // connections_, so the loop goes first, while everything they touch is alive.
  acceptor_.reset();
  drain_deadline_.reset();
  sweep_timer_.reset();
  io_.reset();
  if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

std::uint16_t Shard::listen(const tcp::endpoint& endpoint) {
  acceptor_ = std::make_unique<tcp::acceptor>(*io_);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  acceptor_->set_option(ReusePort(true));
  if (endpoint.address().is_v6()) acceptor_->set_option(asio::ip::v6_only(false));
  acceptor_->bind(endpoint);
  acceptor_->set_option(tcp::no_delay(true));  // inherited by accepted sockets on Linux
  acceptor_->listen(asio::socket_base::max_listen_connections);
  acceptor_->native_non_blocking(true);
  return acceptor_->local_endpoint().port();
}

void Shard::start() {
  asio::co_spawn(*io_, accept_loop(), logging::rethrow_unhandled);
  asio::co_spawn(*io_, sweep_expired(), logging::rethrow_unhandled);
  thread_ = std::thread([this] {
    util::name_this_thread("pend-shard");
    io_->run();
  });
}

void Shard::join() {
  if (thread_.joinable()) thread_.join();
}

std::list<Connection*>::iterator Shard::attach(Connection* connection) {
  return connections_.insert(connections_.end(), connection);
}

void Shard::detach(std::list<Connection*>::iterator position) {
  connections_.erase(position);
  stop_if_drained();
}

asio::awaitable<void> Shard::accept_loop() {
  asio::steady_timer pause(*io_);
  tcp::endpoint peer;
  while (acceptor_ && acceptor_->is_open()) {
    // The peer's address comes with accept(): no getpeername() per connection.
    auto [ec, socket] = co_await acceptor_->async_accept(peer, kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) break;
    if (out_of_descriptors(ec)) {
      if (!refuse_without_descriptor()) {
        // No reserve descriptor either: back off rather than spin on a queue we can't drain.
        pause.expires_after(std::chrono::milliseconds(10));
        co_await pause.async_wait(kUseTuple);
        if (reserve_fd_ < 0) reserve_fd_ = open_reserve_fd();
      }
      continue;
    }
    if (ec) continue;  // the peer gave up while queued (ECONNABORTED and the like)

    counters_.accepted.fetch_add(1, std::memory_order_relaxed);
    const auto open = counters_.connections.load(std::memory_order_relaxed);
    if (open >= static_cast<std::int64_t>(settings_.max_connections)) {
      counters_.refused_over_limit.fetch_add(1, std::memory_order_relaxed);
      refuse_connection(socket.release());
      continue;
    }
    // One host may not hold every slot (server.max_connections_per_ip).
    const auto address = util::normalize(peer.address());
    if (!addresses_.acquire(address)) {
      counters_.refused_per_address.fetch_add(1, std::memory_order_relaxed);
      refuse_connection(socket.release());
      continue;
    }
    auto connection =
        std::make_unique<Connection>(*this, std::move(socket), address, /*counted=*/true);
    asio::co_spawn(
        *io_, [c = std::move(connection)]() { return c->run(); }, logging::rethrow_unhandled);
  }
}

// One timer per shard enforces every connection's timeouts: each tick closes the connections
// whose current phase overran its deadline. A quarter second of slack on timeouts measured in
// seconds buys a request path that arms no timers.
asio::awaitable<void> Shard::sweep_expired() {
  sweep_timer_ = std::make_unique<asio::steady_timer>(*io_);
  while (true) {
    sweep_timer_->expires_after(kSweepPeriod);
    auto [ec] = co_await sweep_timer_->async_wait(kUseTuple);
    if (ec) co_return;
    const auto now = std::chrono::steady_clock::now();
    for (Connection* connection : connections_) connection->close_if_expired(now);
  }
}

// accept() failed for want of a descriptor: the connection stays queued and would make
// every later accept fail too. Spend the reserve descriptor to take it off the queue and
// answer 503, then get the reserve back. False when there was no reserve to spend.
bool Shard::refuse_without_descriptor() {
  counters_.refused_no_descriptors.fetch_add(1, std::memory_order_relaxed);
  const bool had_reserve = reserve_fd_ >= 0;
  if (had_reserve) {
    ::close(reserve_fd_);
    const int fd =
        ::accept4(acceptor_->native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) refuse_connection(fd);
    reserve_fd_ = open_reserve_fd();
  }
  static std::atomic<std::int64_t> last_report{0};
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  if (last_report.exchange(now) != now) {
    logging::error("API", "DESCRIPTORS_EXHAUSTED",
                   "out of file descriptors: refusing new connections with 503",
                   {{"refused_total", counters_.refused_no_descriptors.load()}});
  }
  return had_reserve;
}

void Shard::drain() {
  asio::post(*io_, [this] { begin_drain(); });
}

void Shard::begin_drain() {
  if (draining_) return;
  draining_ = true;
  boost::system::error_code ec;
  if (acceptor_) acceptor_->close(ec);
  // Copy: closing an idle connection may detach it from the list while we walk it.
  const std::vector<Connection*> open(connections_.begin(), connections_.end());
  for (Connection* connection : open) connection->on_drain();

  drain_deadline_ = std::make_unique<asio::steady_timer>(*io_, settings_.shutdown_timeout);
  drain_deadline_->async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    if (!connections_.empty()) {
      logging::warn("API", "SHUTDOWN_DEADLINE", "drain deadline passed; closing connections",
                    {{"open_connections", static_cast<std::int64_t>(connections_.size())}});
      // Close the sockets now, so clients see the connection end rather than hang.
      for (Connection* connection : connections_) connection->force_close();
    }
    io_->stop();
  });
  stop_if_drained();
}

void Shard::stop_if_drained() {
  // io_ is null while ~Shard destroys the loop (and with it the last connections).
  if (draining_ && connections_.empty() && io_) io_->stop();
}

}  // namespace pend::http
