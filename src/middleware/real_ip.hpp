// real_ip: the client's address and scheme, which the access log, the rate limiter (its ip
// key) and security events use. Forwarding headers count only when the TCP peer is a trusted
// proxy (server.trusted_proxies, none by default); otherwise the peer is the client, whatever
// the headers say. From a trusted peer, Forwarded (RFC 7239) decides when present, else
// X-Forwarded-For; either is walked from the right, each trusted hop vouching for the one
// before it, and the first untrusted address is the client. The scheme comes from the same
// header (proto=, else X-Forwarded-Proto).
#pragma once

#include "http/middleware.hpp"
#include "util/cidr.hpp"

#include <string>
#include <vector>

namespace pend::middleware {

class RealIp final : public http::Middleware {
 public:
  // Throws std::invalid_argument on a malformed CIDR (config validation catches it first).
  explicit RealIp(const std::vector<std::string>& trusted_proxies);

  std::string_view name() const override { return "real_ip"; }
  void before(http::RequestContext& ctx) override;
  void after(http::RequestContext&) noexcept override {}
  bool runs_on_rejected() const override { return true; }

 private:
  bool trusted(const boost::asio::ip::address& address) const;
  std::vector<util::Cidr> trusted_;
};

}  // namespace pend::middleware
