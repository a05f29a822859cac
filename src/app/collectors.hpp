// The /metrics collectors of the infrastructure the composition root owns: the server's
// connection counters, the logger's drops and its server sinks' delivery figures. (Each
// component with figures of its own collects them itself: pools, Redis, caches, limits.)
#pragma once

#include "logging/logger.hpp"
#include "metrics/prometheus_writer.hpp"

namespace pend::http {
struct ServerCounters;
}

namespace pend::app {

void collect_server(metrics::PrometheusWriter& out, const http::ServerCounters& counters,
                    const logging::Logger& logger);
void collect_log_sinks(metrics::PrometheusWriter& out, const logging::Logger& logger);

}  // namespace pend::app
