#include "middleware/access_log.hpp"

#include "http/request_context.hpp"
#include "logging/json_writer.hpp"

namespace pend::middleware {

namespace beast_http = boost::beast::http;

void AccessLog::on_finish(const http::RequestContext& ctx) noexcept {
  const unsigned status = ctx.response.result_int();
  const auto level = status >= 500 ? logging::Level::error : logging::Level::info;
  if (!logger_.enabled(level)) return;
  try {
    const auto elapsed = http::Clock::now() - ctx.started;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    const auto millis = static_cast<std::int64_t>((micros + 500) / 1000);

    std::string& line = logging::Logger::scratch();
    logger_.begin_line(line, level, "request");
    logging::JsonLineWriter out(line, /*continues=*/true);
    out.field("category", "API");
    out.field("event_type", "HTTP_REQUEST");
    if (ctx.principal.kind == http::Principal::Kind::user) out.field("user_id", ctx.principal.id);
    if (ctx.principal.kind == http::Principal::Kind::admin) {
      out.field("admin_id", ctx.principal.id);
    }
    if (!ctx.principal.session_id.empty()) out.field("session_id", ctx.principal.session_id);
    out.field("request_id", ctx.request_id);
    out.field("correlation_id", ctx.correlation_id);
    out.field("ip_address", ctx.client_address.to_string());
    out.field("user_agent", ctx.request[beast_http::field::user_agent]);
    out.field("endpoint", ctx.route_name());
    out.field("method", http::to_string(ctx.method));
    out.field("status_code", static_cast<std::int64_t>(status));
    out.field("response_time_ms", millis);
    out.field("request_size_bytes", static_cast<std::int64_t>(ctx.request_bytes));
    out.field("response_size_bytes", static_cast<std::int64_t>(ctx.response_bytes));
    if (!ctx.error_code.empty()) out.field("error_code", ctx.error_code);
    line += ",\"performance\":{";
    logging::JsonLineWriter performance(line);
    performance.field("response_time_ms", static_cast<double>(micros) / 1000.0);
    if (ctx.database_time.count() > 0) {  // summed by the data layer for this request
      performance.field("database_time_ms",
                        static_cast<double>(ctx.database_time.count()) / 1'000'000.0);
    }
    performance.field_bool("slow_query", millis > 1000);
    performance.field_bool("very_slow_query", millis > 5000);
    line += "}}";
    logger_.submit({level, logging::Category::api, /*performance=*/true, /*security=*/false}, line);
  } catch (...) {
    // Out of memory while logging: the request itself is already answered.
  }
}

}  // namespace pend::middleware
