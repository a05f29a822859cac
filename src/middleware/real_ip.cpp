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

namespace {

// The hops of all lines of a list header, in order: several lines are one list (a proxy may
// add its own line after the client's), joined, or a forged first line would be the chain.
std::string joined_lines(const http::Request& request, std::string_view name) {
  std::string joined;
  for (auto [it, end] = request.equal_range(name); it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined += it->value();
  }
  return joined;
}

// The address of a Forwarded for= value: 192.0.2.60, "192.0.2.60:8080",
// "[2001:db8:cafe::17]:4711"; empty for unknown, obfuscated identifiers and malformed ones.
std::string_view forwarded_address(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (!value.empty() && value.front() == '[') {
    const auto close = value.find(']');
    return close == std::string_view::npos ? std::string_view{} : value.substr(1, close - 1);
  }
  const auto colon = value.find(':');
  if (colon != std::string_view::npos && value.find(':', colon + 1) == std::string_view::npos) {
    value = value.substr(0, colon);  // IPv4 with a port
  }
  return value;
}

// The value of a parameter (for, proto) in one Forwarded element ("for=1.2.3.4;proto=https").
std::string_view forwarded_param(std::string_view element, std::string_view name) {
  while (!element.empty()) {
    const auto semicolon = element.find(';');
    auto pair = trim(element.substr(0, semicolon));
    element =
        semicolon == std::string_view::npos ? std::string_view{} : element.substr(semicolon + 1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos &&
        boost::beast::iequals(trim(pair.substr(0, equals)), name)) {
      return trim(pair.substr(equals + 1));
    }
  }
  return {};
}

}  // namespace

void RealIp::before(http::RequestContext& ctx) {
  ctx.peer_address = util::normalize(ctx.peer_address);
  ctx.client_address = ctx.peer_address;
  if (!trusted(ctx.peer_address)) return;
  ctx.via_trusted_proxy = true;

  const bool rfc7239 = ctx.request.find(boost::beast::http::field::forwarded) != ctx.request.end();
  const std::string chain_text =
      joined_lines(ctx.request, rfc7239 ? std::string_view{"Forwarded"} : "X-Forwarded-For");
  std::string_view chain = chain_text;
  if (rfc7239) {
    // The scheme the nearest proxy saw: its element is the last.
    const auto last =
        chain.substr(chain.rfind(',') == std::string_view::npos ? 0 : chain.rfind(',') + 1);
    ctx.client_tls = boost::beast::iequals(forwarded_param(last, "proto"), "https");
  } else {
    const auto proto = ctx.request["X-Forwarded-Proto"];
    ctx.client_tls = boost::beast::iequals(trim(proto.substr(0, proto.find(','))), "https");
  }
  // From the right: a malformed or unknown entry ends the walk.
  while (!chain.empty()) {
    const auto comma = chain.rfind(',');
    const auto hop = trim(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
    chain = comma == std::string_view::npos ? std::string_view{} : chain.substr(0, comma);
    const auto text = rfc7239 ? forwarded_address(forwarded_param(hop, "for")) : hop;
    boost::system::error_code ec;
    const auto address = util::normalize(ip::make_address(text, ec));
    if (ec) return;
    ctx.client_address = address;
    if (!trusted(address)) return;
  }
}

}  // namespace pend::middleware
