#include "middleware/api_metrics.hpp"

#include "db/copy_encoder.hpp"
#include "http/request_context.hpp"
#include "logging/json_writer.hpp"
#include "sinks/api_metrics_target.hpp"
#include "util/ids.hpp"

#include <algorithm>
#include <charconv>

namespace pend::middleware {

namespace {

using logging::write_json_int;
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
  // Every request, or sample_percent of them, spread evenly.
  thread_local unsigned credit = 0;
  credit += sample_percent_;
  if (credit < 100) {
    in_flight_.add(-1);
    return;
  }
  credit -= 100;
  const std::int64_t concurrent = in_flight_.sum();  // this request included
  in_flight_.add(-1);
  try {
    const auto millis =
        (std::chrono::duration_cast<std::chrono::microseconds>(ctx.finished - ctx.started).count() +
         500) /
        1000;
    const std::string_view endpoint = ctx.route_name();
    const std::string_view error = ctx.error_code;
    const bool user =
        ctx.principal.kind == http::Principal::Kind::user && ctx.principal.id.size() == 36;

    // The row, as COPY's text format takes it: the sink only streams it.
    logging::LineBuffer& line = logging::Logger::scratch();
    line.resize(logging::kRecordHeader);  // filled in by submit()
    char* p = line.room(64);
    p = util::write_request_id(p);
    *p++ = '\t';
    line.commit(p);
    logging::append_utc_timestamp(line);
    p = line.room(256 + 2 * endpoint.size() + 2 * error.size());
    const auto field = [&p](std::int64_t value) {
      *p++ = '\t';
      p = write_json_int(p, value);
    };
    *p++ = '\t';
    p = db::write_copy_text(p, endpoint);
    *p++ = '\t';
    p = write_literal(p, http::to_string(ctx.method));
    field(std::max<std::int64_t>(0, millis));
    field(ctx.response.result_int());
    field(static_cast<std::int64_t>(ctx.request_bytes));
    field(static_cast<std::int64_t>(ctx.response_bytes));
    p = write_literal(p, ctx.cache == http::CacheOutcome::hit ? "\tt\t" : "\tf\t");
    p = user ? write_literal(p, ctx.principal.id) : write_literal(p, "\\N");
    *p++ = '\t';
    p = error.empty() ? write_literal(p, "\\N") : db::write_copy_text(p, error);
    field(ceil_millis(ctx.database_time));
    field(ceil_millis(ctx.external_time));
    field(std::max<std::int64_t>(1, concurrent));
    *p++ = '\t';
    p = write_fixed2(p, process_.memory_mb());
    *p++ = '\t';
    p = write_fixed2(p, process_.cpu_percent());
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
