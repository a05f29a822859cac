#include "middleware/api_metrics.hpp"

#include "http/request_context.hpp"
#include "logging/json_writer.hpp"

#include <algorithm>
#include <charconv>

namespace pend::middleware {

namespace {

using logging::json_string_room;
using logging::write_json_int;
using logging::write_json_string;
using logging::write_literal;

// Milliseconds for an integer column: rounded up, so any time spent counts as at least 1.
std::int64_t ceil_millis(std::chrono::nanoseconds time) {
  return time.count() <= 0 ? 0 : (time.count() + 999'999) / 1'000'000;
}

char* write_fixed2(char* p, double value) {  // two decimals, as DECIMAL(_, 2) keeps them
  return std::to_chars(p, p + 24, value, std::chars_format::fixed, 2).ptr;
}

}  // namespace

void ApiMetrics::on_finish(const http::RequestContext& ctx) noexcept {
  const std::int64_t concurrent = in_flight_.sum();  // this request included
  in_flight_.add(-1);
  // Every request, or sample_percent of them, spread evenly.
  thread_local unsigned credit = 0;
  credit += sample_percent_;
  if (credit < 100) return;
  credit -= 100;
  try {
    const auto millis =
        (std::chrono::duration_cast<std::chrono::microseconds>(ctx.finished - ctx.started).count() +
         500) /
        1000;
    const std::string_view endpoint = ctx.route_name();
    const bool user = ctx.principal.kind == http::Principal::Kind::user;

    logging::LineBuffer& line = logging::Logger::scratch();
    line.resize(logging::kRecordHeader);  // filled in by submit()
    line.append(R"({"timestamp":")");
    logging::append_utc_timestamp(line);
    char* p = line.room(512 + json_string_room(endpoint) + json_string_room(ctx.error_code) +
                        json_string_room(ctx.principal.id));
    p = write_literal(p, R"(","endpoint":)");
    p = write_json_string(p, endpoint);
    p = write_literal(p, R"(,"method":")");
    p = write_literal(p, http::to_string(ctx.method));
    p = write_literal(p, R"(","response_time_ms":)");
    p = write_json_int(p, std::max<std::int64_t>(0, millis));
    p = write_literal(p, R"(,"status_code":)");
    p = write_json_int(p, ctx.response.result_int());
    p = write_literal(p, R"(,"request_size_bytes":)");
    p = write_json_int(p, static_cast<std::int64_t>(ctx.request_bytes));
    p = write_literal(p, R"(,"response_size_bytes":)");
    p = write_json_int(p, static_cast<std::int64_t>(ctx.response_bytes));
    p = write_literal(p, ctx.cache == http::CacheOutcome::hit ? R"(,"cache_hit":true)"
                                                              : R"(,"cache_hit":false)");
    if (user) {
      p = write_literal(p, R"(,"user_id":)");
      p = write_json_string(p, ctx.principal.id);
    }
    if (!ctx.error_code.empty()) {
      p = write_literal(p, R"(,"error_type":)");
      p = write_json_string(p, ctx.error_code);
    }
    p = write_literal(p, R"(,"database_query_time_ms":)");
    p = write_json_int(p, ceil_millis(ctx.database_time));
    p = write_literal(p, R"(,"external_api_time_ms":)");
    p = write_json_int(p, ceil_millis(ctx.external_time));
    p = write_literal(p, R"(,"concurrent_requests":)");
    p = write_json_int(p, std::max<std::int64_t>(1, concurrent));
    p = write_literal(p, R"(,"memory_usage_mb":)");
    p = write_fixed2(p, process_.memory_mb());
    p = write_literal(p, R"(,"cpu_usage_percent":)");
    p = write_fixed2(p, process_.cpu_percent());
    *p++ = '}';
    line.commit(p);
    logger_.submit({.level = logging::Level::info,
                    .category = logging::Category::api,
                    .kind = logging::RecordKind::api_metric},
                   line);
  } catch (...) {
    // Out of memory: the request itself is already answered.
  }
}

}  // namespace pend::middleware
