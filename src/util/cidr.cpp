#include "util/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace pend::util {

namespace ip = boost::asio::ip;

ip::address normalize(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  boost::system::error_code ec;
  const std::string spec{text};
  if (text.find('/') == std::string_view::npos) {
    const auto address = ip::make_address(spec, ec);
    if (ec) return std::nullopt;
    if (address.is_v4()) return Cidr{ip::network_v4(address.to_v4(), 32)};
    return Cidr{ip::network_v6(address.to_v6(), 128)};
  }
  // Asio takes digits after the slash with leading zeros or signs in some forms: the prefix
  // is checked to be plain digits first.
  const auto prefix = text.substr(text.find('/') + 1);
  if (prefix.empty() || prefix.size() > 3 ||
      prefix.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  if (text.find(':') == std::string_view::npos) {
    const auto network = ip::make_network_v4(spec, ec);
    if (ec) return std::nullopt;
    return Cidr{network};
  }
  const auto network = ip::make_network_v6(spec, ec);
  if (ec) return std::nullopt;
  return Cidr{network};
}

bool Cidr::contains(const ip::address& candidate) const {
  const ip::address address = normalize(candidate);
  if (const auto* v4 = std::get_if<ip::network_v4>(&network_)) {
    return address.is_v4() &&
           ip::network_v4(address.to_v4(), v4->prefix_length()).network() == v4->network();
  }
  const auto& v6 = std::get<ip::network_v6>(network_);
  return address.is_v6() &&
         ip::network_v6(address.to_v6(), v6.prefix_length()).network() == v6.network();
}

std::string_view to_text(const ip::address& address, AddressText& buffer) {
  if (address.is_v4()) {
    // By hand: inet_ntop formats IPv4 with sprintf.
    const auto bytes = address.to_v4().to_bytes();
    char* out = buffer;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (i > 0) *out++ = '.';
      out = std::to_chars(out, buffer + sizeof buffer, bytes[i]).ptr;
    }
    return {buffer, static_cast<std::size_t>(out - buffer)};
  }
  const auto v6 = address.to_v6();
  const auto bytes = v6.to_bytes();
  if (::inet_ntop(AF_INET6, bytes.data(), buffer, sizeof buffer) == nullptr) return {};
  std::size_t length = std::char_traits<char>::length(buffer);
  if (v6.scope_id() != 0) {  // fe80::1%3, as Asio writes it
    buffer[length++] = '%';
    length = static_cast<std::size_t>(
        std::to_chars(buffer + length, buffer + sizeof buffer - 1, v6.scope_id()).ptr - buffer);
  }
  return {buffer, length};
}

}  // namespace pend::util
