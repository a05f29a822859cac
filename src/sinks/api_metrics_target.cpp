#include "sinks/api_metrics_target.hpp"

namespace pend::sinks {

namespace {

#define PEND_API_METRICS_COLUMNS                                                         \
  "id, timestamp, endpoint, method, response_time_ms, status_code, request_size_bytes, " \
  "response_size_bytes, cache_hit, user_id, error_type, database_query_time_ms, "        \
  "external_api_time_ms, concurrent_requests, memory_usage_mb, cpu_usage_percent"

const std::string kCopy = "COPY api_metrics (" PEND_API_METRICS_COLUMNS ") FROM STDIN";
const std::string kCreateStaging =
    "CREATE TEMPORARY TABLE IF NOT EXISTS api_metrics_incoming (id uuid, timestamp timestamptz, "
    "endpoint text, method text, response_time_ms int, status_code int, request_size_bytes int, "
    "response_size_bytes int, cache_hit bool, user_id uuid, error_type text, "
    "database_query_time_ms int, external_api_time_ms int, concurrent_requests int, "
    "memory_usage_mb numeric, cpu_usage_percent numeric) ON COMMIT DELETE ROWS";
const std::string kCopyStaging =
    "COPY api_metrics_incoming (" PEND_API_METRICS_COLUMNS ") FROM STDIN";
// A user that is not (or no longer) one becomes NULL rather than losing the row.
const std::string kMerge =
    "INSERT INTO api_metrics (" PEND_API_METRICS_COLUMNS
    ") "
    "SELECT r.id, r.timestamp, r.endpoint, r.method, r.response_time_ms, r.status_code, "
    "r.request_size_bytes, r.response_size_bytes, r.cache_hit, u.id, r.error_type, "
    "r.database_query_time_ms, r.external_api_time_ms, r.concurrent_requests, "
    "r.memory_usage_mb, r.cpu_usage_percent FROM api_metrics_incoming r "
    "LEFT JOIN users u ON u.id = r.user_id ON CONFLICT DO NOTHING";

#undef PEND_API_METRICS_COLUMNS

// The lines are rows already; a line PostgreSQL refuses is dead-lettered by the sink.
class ApiMetricsRows final : public RowEncoder {
 public:
  bool encode(std::string_view line, std::string& out) override {
    if (line.empty() || line.find('\n') != std::string_view::npos) return false;
    out.append(line);
    out += '\n';
    return true;
  }
};

}  // namespace

CopyTarget api_metrics_target() {
  return {.copy = kCopy,
          .create_staging = kCreateStaging,
          .copy_staging = kCopyStaging,
          .merge = kMerge,
          .binary = false,
          .encoder = [] { return std::make_unique<ApiMetricsRows>(); }};
}

}  // namespace pend::sinks
