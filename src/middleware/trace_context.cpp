#include "middleware/trace_context.hpp"

#include "util/ids.hpp"

#include <algorithm>

namespace pend::middleware {
namespace {

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

}  // namespace

std::optional<http::TraceContext> parse_traceparent(std::string_view header) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2) = 55 characters.
  if (header.size() < 55) return std::nullopt;
  const auto version = header.substr(0, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  if (version == "00" ? header.size() != 55 : (header.size() > 55 && header[55] != '-')) {
    return std::nullopt;
  }
  const auto trace_id = header.substr(3, 32);
  const auto parent_id = header.substr(36, 16);
  const auto flags = header.substr(53, 2);
  if (!lower_hex(trace_id) || !lower_hex(parent_id) || !lower_hex(flags)) return std::nullopt;
  if (all_zero(trace_id) || all_zero(parent_id)) return std::nullopt;
  http::TraceContext trace;
  trace.trace_id = trace_id;
  trace.parent_id = parent_id;
  trace.flags = static_cast<std::uint8_t>(hex_value(flags[0]) * 16 + hex_value(flags[1]));
  return trace;
}

void TraceContextMiddleware::before(http::RequestContext& ctx) {
  const auto header = ctx.request["traceparent"];
  if (header.empty()) return;
  if (auto incoming = parse_traceparent(header)) {
    ctx.trace = std::move(*incoming);
    ctx.trace.span_id = util::random_hex(8);
    ctx.correlation_id = ctx.trace.trace_id;
  }
}

}  // namespace pend::middleware
