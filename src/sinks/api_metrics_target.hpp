// The api_metrics table as a COPY target of the PostgreSQL sink. The api-metrics observer
// (middleware/api_metrics.hpp) writes each request's row on the request thread as a line
// of COPY's text format, its id (a UUIDv7) included, so the sink only streams the lines:
//
//   <id> <timestamp> <endpoint> <method> <response_time_ms> <status_code>
//   <request_size_bytes> <response_size_bytes> <cache_hit> <user_id> <error_type>
//   <database_query_time_ms> <external_api_time_ms> <concurrent_requests> <memory_usage_mb>
//   <cpu_usage_percent>                      (tab-separated; \N for NULL)
#pragma once

#include "sinks/postgres_sink.hpp"

namespace pend::sinks {

CopyTarget api_metrics_target();

}  // namespace pend::sinks
