#include "http/server.hpp"

#include "http/address_limiter.hpp"
#include "http/shard.hpp"
#include "logging/logger.hpp"

#include <boost/asio/ip/address.hpp>

#include <thread>

namespace pend::http {

namespace asio = boost::asio;

namespace {

std::vector<util::Cidr> networks(const std::vector<std::string>& texts) {
  std::vector<util::Cidr> out;
  for (const auto& text : texts) {
    if (auto cidr = util::Cidr::parse(text)) out.push_back(*cidr);
  }
  return out;
}

}  // namespace

Server::Server(config::ServerSettings settings, std::shared_ptr<const RequestPipeline> pipeline)
    : settings_(std::move(settings)),
      pipeline_(std::move(pipeline)),
      // A trusted proxy's connections carry many clients: they are not capped per address.
      addresses_(std::make_unique<AddressLimiter>(settings_.max_connections_per_ip,
                                                  networks(settings_.trusted_proxies))) {}

Server::~Server() {
  shutdown();
  wait();
}

void Server::start() {
  unsigned count = settings_.threads;
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  const asio::ip::tcp::endpoint requested{asio::ip::make_address(settings_.host), settings_.port};
  for (unsigned i = 0; i < count; ++i) {
    auto shard = std::make_unique<Shard>(settings_, *pipeline_, counters_, *addresses_);
    // With port 0 the first shard picks the port and the others join it (SO_REUSEPORT).
    port_ = shard->listen({requested.address(), i == 0 ? requested.port() : port_});
    shards_.push_back(std::move(shard));
  }
  for (auto& shard : shards_) {
    for (const auto& hook : loop_hooks_) hook(shard->loop());
    shard->start();
  }
  logging::info("API", "SERVER_STARTED", "listening",
                {{"host", settings_.host},
                 {"port", static_cast<std::int64_t>(port_)},
                 {"shards", static_cast<std::int64_t>(count)}});
}

void Server::shutdown() {
  if (draining_.exchange(true)) return;
  logging::info("API", "SERVER_DRAINING", "draining in-flight requests",
                {{"connections", counters_.connections.load()},
                 {"deadline_ms", static_cast<std::int64_t>(settings_.shutdown_timeout.count())}});
  for (auto& shard : shards_) shard->drain();
}

void Server::wait() {
  for (auto& shard : shards_) shard->join();
}

}  // namespace pend::http
