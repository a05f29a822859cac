// The api_metrics table as a COPY target of the PostgreSQL sink: the line the api-metrics
// observer writes for a request (middleware/api_metrics.hpp), and its row.
//
//   {"id":"…","timestamp":"2026-12-01T21:47:17.475Z","endpoint":"/api/v1/config","method":"GET",
//    "response_time_ms":3,"status_code":200,"request_size_bytes":0,"response_size_bytes":31,
//    "cache_hit":true,"user_id":"…","error_type":"not_found","database_query_time_ms":0,
//    "external_api_time_ms":0,"concurrent_requests":12,"memory_usage_mb":23.41,
//    "cpu_usage_percent":45.2}
#pragma once

#include "logging/postgres_sink.hpp"

namespace pend::metrics {

logging::CopyTarget api_metrics_target();

}  // namespace pend::metrics
