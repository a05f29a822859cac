#include "middleware/real_ip.hpp"

#include "http/request_context.hpp"

#include <boost/beast/core/string.hpp>

#include <stdexcept>

namespace pend::middleware {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

RealIp::RealIp(const std::vector<std::string>& trusted_proxies) {
  for (const auto& text : trusted_proxies) {
    auto cidr = util::Cidr::parse(text);
    if (!cidr) throw std::invalid_argument("malformed trusted proxy CIDR: " + text);
    trusted_.push_back(*cidr);
  }
}

bool RealIp::trusted(const ip::address& address) const {
  for (const auto& cidr : trusted_) {
    if (cidr.contains(address)) return true;
  }
  return false;
}

void RealIp::before(http::RequestContext& ctx) {
  ctx.peer_address = util::normalize(ctx.peer_address);
  ctx.client_address = ctx.peer_address;
  if (!trusted(ctx.peer_address)) return;

  const auto proto = ctx.request["X-Forwarded-Proto"];
  ctx.client_tls = boost::beast::iequals(trim(proto.substr(0, proto.find(','))), "https");

  // Walk X-Forwarded-For from the right: each trusted hop vouches for the one before it.
  // The first untrusted address is the client; a malformed entry ends the walk. Several
  // X-Forwarded-For lines are one list, in order (a proxy may add its own line after the
  // client's): joined, or a forged first line would be read as the whole chain.
  std::string_view chain;
  std::string joined;
  for (auto [it, end] = ctx.request.equal_range("X-Forwarded-For"); it != end; ++it) {
    if (chain.empty()) {
      chain = it->value();
      continue;
    }
    if (joined.empty()) joined = chain;
    joined += ',';
    joined += it->value();
  }
  if (!joined.empty()) chain = joined;
  while (!chain.empty()) {
    const auto comma = chain.rfind(',');
    const auto hop = trim(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
    chain = comma == std::string_view::npos ? std::string_view{} : chain.substr(0, comma);
    boost::system::error_code ec;
    const auto address = util::normalize(ip::make_address(hop, ec));
    if (ec) return;
    ctx.client_address = address;
    if (!trusted(address)) return;
  }
}

}  // namespace pend::middleware
