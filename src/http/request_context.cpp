#include "http/request_context.hpp"

#include "util/hex.hpp"
#include "util/json.hpp"

#include <sodium.h>
#include <boost/beast/core/string.hpp>

namespace pend::http {

std::string TraceContext::outbound_header() const {
  if (trace_id.empty()) return {};
  std::string header = "00-" + trace_id + '-' + span_id + '-';
  header += util::kHexDigits[flags >> 4];
  header += util::kHexDigits[flags & 0xF];
  return header;
}

namespace {

// Headers a proxy adds on a request it passes on: Forwarded (RFC 7239), Via, and the
// de-facto X-Forwarded-* family, X-Real-IP and their relatives.
bool is_forwarding_header(std::string_view name) {
  constexpr std::string_view kExact[] = {"forwarded",           "via",
                                         "x-real-ip",           "x-client-ip",
                                         "true-client-ip",      "cf-connecting-ip",
                                         "x-cluster-client-ip", "x-original-forwarded-for"};
  if (name.size() > 12 && boost::beast::iequals(name.substr(0, 12), "x-forwarded-")) return true;
  for (const auto exact : kExact) {
    if (boost::beast::iequals(name, exact)) return true;
  }
  return false;
}

}  // namespace

bool RequestContext::from_this_host() const {
  // Decided from the socket, not from what the request says: a loopback peer, and no sign
  // that a proxy passed the request on (whatever address it names).
  if (!peer_address.is_loopback()) return false;
  for (const auto& field : request) {
    if (is_forwarding_header(field.name_string())) return false;
  }
  return true;
}

bool RequestContext::has_bearer(std::string_view secret) const {
  if (secret.empty()) return false;
  const std::string_view header = request[boost::beast::http::field::authorization];
  if (header.size() <= 7 || !boost::beast::iequals(header.substr(0, 7), "bearer ")) return false;
  auto offered = header.substr(7);
  while (!offered.empty() && offered.front() == ' ') offered.remove_prefix(1);
  while (!offered.empty() && offered.back() == ' ') offered.remove_suffix(1);
  return offered.size() == secret.size() &&
         sodium_memcmp(offered.data(), secret.data(), secret.size()) == 0;
}

void RequestContext::json(unsigned status, const boost::json::value& value) {
  text(status, util::json::serialize(value), "application/json; charset=utf-8");
}

void RequestContext::json_text(unsigned status, std::string body) {
  text(status, std::move(body), "application/json; charset=utf-8");
}

void RequestContext::text(unsigned status, std::string body, std::string_view content_type) {
  response.result(status);
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
}

}  // namespace pend::http
