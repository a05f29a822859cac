// The logger the settings describe: log.sinks in order (console, rotating files, the
// server_logs table), Elasticsearch when log.elasticsearch_url is set, and the api_metrics
// table's sink when metrics.api_metrics is on.
#pragma once

#include "config/settings.hpp"
#include "logging/logger.hpp"

#include <memory>

namespace pend::app {

// Console lines go to fd.
std::unique_ptr<logging::Logger> make_logger(const config::Settings& settings, int fd = 2);

}  // namespace pend::app
