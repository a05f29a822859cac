// An IPv4 or IPv6 network in CIDR notation ("10.0.0.0/8", "::1/128"), through Asio's
// network_v4 / network_v6; and the address helpers the request path shares.
//
//   auto proxies = util::Cidr::parse("10.0.0.0/8");
//   proxies->contains(boost::asio::ip::make_address("10.1.2.3"))   // true
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <optional>
#include <string_view>
#include <variant>

namespace pend::util {

class Cidr {
 public:
  // "10.0.0.0/8", "::1/128", or a bare address (a /32 or /128). nullopt when malformed.
  static std::optional<Cidr> parse(std::string_view text);

  bool contains(const boost::asio::ip::address& address) const;

 private:
  using Network = std::variant<boost::asio::ip::network_v4, boost::asio::ip::network_v6>;
  explicit Cidr(Network network) : network_(network) {}
  Network network_;
};

// IPv4-mapped IPv6 (::ffff:10.0.0.1, what a dual-stack socket reports) as plain IPv4.
boost::asio::ip::address normalize(const boost::asio::ip::address& address);

// The address as text ("203.0.113.9", "2001:db8::1"), written into buffer: no allocation,
// for the access log and rate-limit keys of every request.
using AddressText = char[64];
std::string_view to_text(const boost::asio::ip::address& address, AddressText& buffer);

}  // namespace pend::util
