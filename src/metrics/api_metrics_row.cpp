#include "metrics/api_metrics_row.hpp"

#include "db/binary_copy_encoder.hpp"
#include "logging/log_row.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pend::metrics {

namespace {

namespace json = boost::json;

#define PEND_API_METRICS_COLUMNS                                                            \
  "id, timestamp, endpoint, method, response_time_ms, status_code, request_size_bytes, "  \
  "response_size_bytes, cache_hit, user_id, error_type, database_query_time_ms, "         \
  "external_api_time_ms, concurrent_requests, memory_usage_mb, cpu_usage_percent"
constexpr std::uint16_t kColumns = 16;

const std::string kCopy =
    "COPY api_metrics (" PEND_API_METRICS_COLUMNS ") FROM STDIN (FORMAT binary)";
const std::string kCreateStaging =
    "CREATE TEMPORARY TABLE IF NOT EXISTS api_metrics_incoming (id uuid, timestamp timestamptz, "
    "endpoint text, method text, response_time_ms int, status_code int, request_size_bytes int, "
    "response_size_bytes int, cache_hit bool, user_id uuid, error_type text, "
    "database_query_time_ms int, external_api_time_ms int, concurrent_requests int, "
    "memory_usage_mb numeric, cpu_usage_percent numeric) ON COMMIT DELETE ROWS";
const std::string kCopyStaging =
    "COPY api_metrics_incoming (" PEND_API_METRICS_COLUMNS ") FROM STDIN (FORMAT binary)";
// A user that is not (or no longer) one becomes NULL rather than losing the row.
const std::string kMerge =
    "INSERT INTO api_metrics (" PEND_API_METRICS_COLUMNS ") "
    "SELECT r.id, r.timestamp, r.endpoint, r.method, r.response_time_ms, r.status_code, "
    "r.request_size_bytes, r.response_size_bytes, r.cache_hit, u.id, r.error_type, "
    "r.database_query_time_ms, r.external_api_time_ms, r.concurrent_requests, "
    "r.memory_usage_mb, r.cpu_usage_percent FROM api_metrics_incoming r "
    "LEFT JOIN users u ON u.id = r.user_id ON CONFLICT DO NOTHING";

#undef PEND_API_METRICS_COLUMNS

class ApiMetricsEncoder final : public logging::RowEncoder {
 public:
  bool encode(std::string_view line, db::BinaryCopyEncoder& out) override {
    json::monotonic_resource memory(buffer_, sizeof buffer_);
    boost::system::error_code ec;
    const json::value parsed = json::parse(line, ec, &memory);
    if (ec || !parsed.is_object()) return false;
    const json::object& row = parsed.get_object();
    const auto text = [&](std::string_view key) -> std::optional<std::string_view> {
      const auto* value = row.if_contains(key);
      if (value == nullptr || !value->is_string()) return std::nullopt;
      return std::string_view{value->get_string()};
    };
    const auto number = [&](std::string_view key) -> std::optional<double> {
      const auto* value = row.if_contains(key);
      if (value == nullptr || !value->is_number()) return std::nullopt;
      return value->to_number<double>();
    };
    const auto id = text("id") ? db::Uuid::parse(*text("id")) : std::nullopt;
    const auto at = text("timestamp") ? logging::parse_utc_timestamp(*text("timestamp")) : std::nullopt;
    const auto endpoint = text("endpoint");
    const auto method = text("method");
    if (!id || !at || !endpoint || !method || has_nul(*endpoint)) return false;

    const auto int4 = [&](std::string_view key) {
      const auto value = number(key);
      if (!value) return void(out.null());
      out.int4(static_cast<std::int32_t>(
          std::clamp(*value, 0.0, static_cast<double>(std::numeric_limits<std::int32_t>::max()))));
    };
    const auto fixed = [&](std::string_view key, double max) {  // numeric(_, 2)
      const auto value = number(key);
      if (!value || !std::isfinite(*value)) return void(out.null());
      out.numeric(std::llround(std::clamp(*value, 0.0, max) * 100), 2);
    };
    out.begin_row(kColumns);
    out.uuid(*id).timestamptz(*at).text(logging::prefix_chars(*endpoint, 255));
    out.text(logging::prefix_chars(*method, 10));
    int4("response_time_ms");
    int4("status_code");
    int4("request_size_bytes");
    int4("response_size_bytes");
    const auto* cache_hit = row.if_contains("cache_hit");
    out.boolean(cache_hit != nullptr && cache_hit->is_bool() && cache_hit->get_bool());
    const auto user = text("user_id") ? db::Uuid::parse(*text("user_id")) : std::nullopt;
    user ? out.uuid(*user) : out.null();
    const auto error = text("error_type");
    error && !has_nul(*error) ? out.text(logging::prefix_chars(*error, 50)) : out.null();
    int4("database_query_time_ms");
    int4("external_api_time_ms");
    int4("concurrent_requests");
    fixed("memory_usage_mb", 99'999'999.99);  // DECIMAL(10,2)
    fixed("cpu_usage_percent", 999.99);       // DECIMAL(5,2)
    return true;
  }

 private:
  static bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }
  unsigned char buffer_[8192];  // the parsed line: no allocation for a row
};

}  // namespace

logging::CopyTarget api_metrics_target() {
  return {.copy = kCopy,
          .create_staging = kCreateStaging,
          .copy_staging = kCopyStaging,
          .merge = kMerge,
          .encoder = [] { return std::make_unique<ApiMetricsEncoder>(); }};
}

}  // namespace pend::metrics
