#include "http/request_context.hpp"

#include "util/hex.hpp"
#include "util/json.hpp"

namespace pend::http {

std::string TraceContext::outbound_header() const {
  if (trace_id.empty()) return {};
  std::string header = "00-" + trace_id + '-' + span_id + '-';
  header += util::kHexDigits[flags >> 4];
  header += util::kHexDigits[flags & 0xF];
  return header;
}

bool RequestContext::from_this_host() const {
  return peer_address.is_loopback() && request.find("X-Forwarded-For") == request.end() &&
         request.find(boost::beast::http::field::forwarded) == request.end() &&
         request.find("X-Real-IP") == request.end();
}

void RequestContext::json(unsigned status, const boost::json::value& value) {
  text(status, util::json::serialize(value), "application/json; charset=utf-8");
}

void RequestContext::text(unsigned status, std::string body, std::string_view content_type) {
  response.result(status);
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
}

}  // namespace pend::http
