// Process figures for /metrics, read from /proc at scrape time: resident memory, open and
// maximum file descriptors, CPU time, start time; plus the build info gauge.
#pragma once

#include "metrics/prometheus_writer.hpp"

#include <cstdint>
#include <optional>

namespace pend::metrics {

std::optional<std::uint64_t> resident_memory_bytes();
std::optional<std::uint64_t> open_file_descriptors();

void collect_process_metrics(PrometheusWriter& out);
void collect_build_info(PrometheusWriter& out);

}  // namespace pend::metrics
