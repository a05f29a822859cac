// AddressLimiter: open connections per client address, across all shards, so that one host
// cannot take every connection slot (server.max_connections_per_ip). Consulted on accept and
// close only, never per request; striped so shards rarely meet on a lock. Exempt networks
// (the trusted proxies, whose connections carry many clients) are not counted.
//
//   AddressLimiter limiter(256, exempt);
//   if (!limiter.acquire(peer)) refuse_connection(fd);   // ... and release(peer) on close
#pragma once

#include "util/cidr.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace pend::http {

class AddressLimiter {
 public:
  // max_per_address 0: no cap.
  AddressLimiter(std::size_t max_per_address, std::vector<util::Cidr> exempt);

  // Counts a connection from address; false (and nothing counted) when it already has the
  // maximum. Exempt addresses always succeed.
  bool acquire(const boost::asio::ip::address& address);
  void release(const boost::asio::ip::address& address);

  std::size_t addresses() const;  // addresses with open connections now
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  struct Key {
    std::array<std::uint8_t, 16> bytes;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<Key, std::uint32_t, KeyHash> open;
  };
  static constexpr std::size_t kStripes = 16;

  bool exempt(const boost::asio::ip::address& address) const;
  static Key key_of(const boost::asio::ip::address& address);

  std::size_t max_;
  std::vector<util::Cidr> exempt_;
  std::array<Stripe, kStripes> stripes_;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace pend::http
