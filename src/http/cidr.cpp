#include "http/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace pend::http {

namespace ip = boost::asio::ip;

ip::address normalize(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  const auto address = ip::make_address(text.substr(0, slash), ec);
  if (ec) return std::nullopt;
  const unsigned max_prefix = address.is_v4() ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        prefix > max_prefix) {
      return std::nullopt;
    }
  }
  return Cidr{address, prefix};
}

bool Cidr::contains(const ip::address& candidate) const {
  const ip::address address = normalize(candidate);
  if (address.is_v4() != network_.is_v4()) return false;
  const auto compare = [this](const auto& a, const auto& b) {
    unsigned bits = prefix_;
    for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
      const unsigned take = bits >= 8 ? 8 : bits;
      const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
      if ((a[i] & mask) != (b[i] & mask)) return false;
      bits -= take;
    }
    return true;
  };
  if (address.is_v4()) return compare(address.to_v4().to_bytes(), network_.to_v4().to_bytes());
  return compare(address.to_v6().to_bytes(), network_.to_v6().to_bytes());
}

std::string_view to_text(const boost::asio::ip::address& address, AddressText& buffer) {
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

}  // namespace pend::http
