#include "app/log_sinks.hpp"

#include "logging/console_sink.hpp"
#include "logging/file_sink.hpp"
#include "sinks/api_metrics_target.hpp"
#include "sinks/elasticsearch_sink.hpp"
#include "sinks/postgres_sink.hpp"
#include "util/build_info.hpp"

#include <stdexcept>

namespace pend::app {

namespace {

std::unique_ptr<logging::Sink> make_sink(const config::Settings& settings,
                                         const logging::SinkSpec& spec, int fd) {
  switch (spec.kind) {
    case logging::SinkSpec::Kind::postgres:
      return std::make_unique<sinks::PostgresSink>(sinks::PostgresSinkOptions{
          .url = settings.database.url, .level = spec.level, .log_dir = settings.log.dir});
    case logging::SinkSpec::Kind::console:
      return std::make_unique<logging::ConsoleSink>(fd, spec.level, spec.format);
    case logging::SinkSpec::Kind::file:
      break;
  }
  return std::make_unique<logging::FileSink>(
      logging::FileSinkOptions{.dir = settings.log.dir,
                               .name = spec.name,
                               .level = spec.level,
                               .filter = spec.filter,
                               .max_bytes = spec.max_bytes,
                               .retention_days = spec.retention_days});
}

logging::LoggerOptions logger_options(const config::Settings& settings, int fd) {
  logging::LoggerOptions options;
  options.level = logging::parse_level(settings.log.level).value_or(logging::Level::info);
  options.version = std::string{util::build_info().version};
  options.environment = std::string{config::to_string(settings.environment)};
  options.server_instance = settings.server.instance_name;
  options.fd = fd;
  for (const auto& text : settings.log.sinks) {
    std::string error;
    const auto spec = logging::parse_sink_spec(text, &error);
    if (!spec) throw std::invalid_argument("log.sinks " + error);  // the loader checked it
    options.sinks.push_back(make_sink(settings, *spec, fd));
  }
  if (!settings.log.elasticsearch_url.empty()) {
    options.sinks.push_back(std::make_unique<sinks::ElasticsearchSink>(
        sinks::ElasticsearchSinkOptions{.url = settings.log.elasticsearch_url,
                                        .index = settings.log.elasticsearch_index,
                                        .daily = settings.log.elasticsearch_daily,
                                        .log_dir = settings.log.dir}));
  }
  if (settings.metrics.api_metrics) {
    // The api_metrics rows travel the log's pipeline as records of their own kind.
    options.sinks.push_back(std::make_unique<sinks::PostgresSink>(
        sinks::PostgresSinkOptions{.url = settings.database.url,
                                   .level = logging::Level::trace,
                                   .log_dir = settings.log.dir,
                                   .name = "api_metrics",
                                   .kind = logging::RecordKind::api_metric,
                                   .splice_ids = false,  // made with their ids
                                   .target = sinks::api_metrics_target()}));
  }
  return options;
}

}  // namespace

std::unique_ptr<logging::Logger> make_logger(const config::Settings& settings, int fd) {
  return std::make_unique<logging::Logger>(logger_options(settings, fd));
}

}  // namespace pend::app
