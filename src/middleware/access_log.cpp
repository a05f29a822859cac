#include "middleware/access_log.hpp"

#include "http/request_context.hpp"
#include "logging/json_writer.hpp"
#include "util/cidr.hpp"

#include <algorithm>

namespace pend::middleware {

namespace {

namespace beast_http = boost::beast::http;
using logging::json_string_room;
using logging::write_json_int;
using logging::write_json_string;
using logging::write_literal;

// Microseconds as milliseconds with up to three decimals ("2.61", "0.012", "3"): what
// formatting micros / 1000.0 as the shortest double gives, without the double.
char* write_millis(char* p, std::int64_t micros) {
  p = write_json_int(p, micros / 1000);
  int fraction = static_cast<int>(micros % 1000);
  if (fraction == 0) return p;
  *p++ = '.';
  for (int unit = 100; fraction > 0; unit /= 10) {
    *p++ = static_cast<char>('0' + fraction / unit);
    fraction %= unit;
  }
  return p;
}

}  // namespace

void AccessLog::on_finish(const http::RequestContext& ctx) noexcept {
  const unsigned status = ctx.response.result_int();
  const auto level = status >= 500 ? logging::Level::error : logging::Level::info;
  if (!logger_.enabled(level)) return;
  try {
    const auto micros = std::max<std::int64_t>(
        0,
        std::chrono::duration_cast<std::chrono::microseconds>(ctx.finished - ctx.started).count());
    const auto millis = static_cast<std::int64_t>((micros + 500) / 1000);
    util::AddressText address_buffer;
    const std::string_view address = util::to_text(ctx.client_address, address_buffer);
    const std::string_view user_agent = ctx.request[beast_http::field::user_agent];
    const std::string_view endpoint = ctx.route_name();
    const std::string_view principal = ctx.principal.id;
    const std::string_view session = ctx.principal.session_id;

    // The whole entry after the envelope in one piece: the keys are literals, the values
    // are escaped where they may hold anything.
    logging::LineBuffer& line = logging::Logger::scratch();
    logger_.begin_line(line, level, "request");
    char* p = line.room(512 + json_string_room(principal) + json_string_room(session) +
                        json_string_room(ctx.request_id) + json_string_room(ctx.correlation_id) +
                        json_string_room(address) + json_string_room(user_agent) +
                        json_string_room(endpoint) + json_string_room(ctx.error_code));
    p = write_literal(p, R"(,"category":"API","event_type":"HTTP_REQUEST")");
    if (ctx.principal.kind != http::Principal::Kind::none) {
      p = write_literal(p, ctx.principal.kind == http::Principal::Kind::admin ? R"(,"admin_id":)"
                                                                              : R"(,"user_id":)");
      p = write_json_string(p, principal);
    }
    if (!session.empty()) {
      p = write_literal(p, R"(,"session_id":)");
      p = write_json_string(p, session);
    }
    p = write_literal(p, R"(,"request_id":)");
    p = write_json_string(p, ctx.request_id);
    p = write_literal(p, R"(,"correlation_id":)");
    p = write_json_string(p, ctx.correlation_id);
    p = write_literal(p, R"(,"ip_address":)");
    p = write_json_string(p, address);
    if (!user_agent.empty()) {
      p = write_literal(p, R"(,"user_agent":)");
      p = write_json_string(p, user_agent);
    }
    p = write_literal(p, R"(,"endpoint":)");
    p = write_json_string(p, endpoint);
    p = write_literal(p, R"(,"method":")");
    p = write_literal(p, http::to_string(ctx.method));
    p = write_literal(p, R"(","status_code":)");
    p = write_json_int(p, status);
    p = write_literal(p, R"(,"response_time_ms":)");
    p = write_json_int(p, millis);
    p = write_literal(p, R"(,"request_size_bytes":)");
    p = write_json_int(p, static_cast<std::int64_t>(ctx.request_bytes));
    p = write_literal(p, R"(,"response_size_bytes":)");
    p = write_json_int(p, static_cast<std::int64_t>(ctx.response_bytes));
    if (!ctx.error_code.empty()) {
      p = write_literal(p, R"(,"error_code":)");
      p = write_json_string(p, ctx.error_code);
    }
    // The plan's performance object, and the data layer's time for this request.
    p = write_literal(p, R"(,"performance":{"response_time_ms":)");
    p = write_millis(p, micros);
    if (ctx.database_time.count() > 0) {
      p = write_literal(p, R"(,"database_time_ms":)");
      p = write_millis(
          p, std::chrono::duration_cast<std::chrono::microseconds>(ctx.database_time).count());
    }
    p = write_literal(p, millis > 1000 ? R"(,"slow_query":true)" : R"(,"slow_query":false)");
    p = write_literal(
        p, millis > 5000 ? R"(,"very_slow_query":true}})" : R"(,"very_slow_query":false}})");
    line.commit(p);
    logger_.submit({level, logging::Category::api, /*performance=*/true, /*security=*/false}, line);
  } catch (...) {
    // Out of memory while logging: the request itself is already answered.
  }
}

}  // namespace pend::middleware
