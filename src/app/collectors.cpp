#include "app/collectors.hpp"

#include "http/server.hpp"
#include "logging/batch_sink.hpp"

namespace pend::app {

void collect_server(metrics::PrometheusWriter& out, const http::ServerCounters& c,
                    const logging::Logger& logger) {
  out.family("http_server_open_connections", "gauge", "Open client connections.");
  out.sample("http_server_open_connections", {}, c.connections.load());
  out.family("http_server_connections_accepted_total", "counter", "Connections accepted.");
  out.sample("http_server_connections_accepted_total", {}, c.accepted.load());
  out.family("http_server_connections_refused_total", "counter",
             "Connections answered 503 and closed at once, by reason.");
  out.sample("http_server_connections_refused_total", {{"reason", "connection_limit"}},
             c.refused_over_limit.load());
  out.sample("http_server_connections_refused_total", {{"reason", "no_descriptors"}},
             c.refused_no_descriptors.load());
  out.sample("http_server_connections_refused_total", {{"reason", "per_address_limit"}},
             c.refused_per_address.load());
  out.family("http_server_timeouts_total", "counter",
             "Connections closed because a read or write timed out.");
  out.sample("http_server_timeouts_total", {}, c.timeouts.load());
  out.family("http_server_rejected_requests_total", "counter",
             "Requests refused before routing (malformed, too large).");
  out.sample("http_server_rejected_requests_total", {}, c.rejected_requests.load());
  out.family("pend_log_entries_dropped_total", "counter",
             "Debug/info log entries dropped because the log queue was full.");
  out.sample("pend_log_entries_dropped_total", {}, logger.dropped());
}

void collect_log_sinks(metrics::PrometheusWriter& out, const logging::Logger& logger) {
  std::vector<const logging::BatchSink*> sinks;
  for (const auto& sink : logger.sinks()) {
    if (const auto* batch = dynamic_cast<const logging::BatchSink*>(sink.get())) {
      sinks.push_back(batch);
    }
  }
  if (sinks.empty()) return;
  auto counter = [&](std::string_view name, std::string_view help, auto read) {
    out.family(name, "counter", help);
    for (const auto* sink : sinks) {
      out.sample(name, {{"sink", sink->name()}}, static_cast<std::uint64_t>(read(sink->figures())));
    }
  };
  using Figures = logging::BatchSinkFigures;
  counter("pend_log_sink_rows_total", "Log entries a server sink stored.",
          [](const Figures& f) { return f.rows.load(); });
  counter("pend_log_sink_spooled_batches_total",
          "Batches written to the local spool because the sink's server could not take them.",
          [](const Figures& f) { return f.spooled.load(); });
  counter("pend_log_sink_replayed_batches_total", "Spooled batches delivered later.",
          [](const Figures& f) { return f.replayed.load(); });
  counter("pend_log_sink_dead_letters_total",
          "Log entries the sink's server refused as invalid, kept in the dead-letter file.",
          [](const Figures& f) { return f.dead_letters.load(); });
  counter("pend_log_sink_lost_total", "Log entries neither stored nor spooled (spool full).",
          [](const Figures& f) { return f.lost.load(); });
  out.family("pend_log_sink_down", "gauge",
             "1 while the sink's server does not answer (its batches wait in the spool).");
  for (const auto* sink : sinks) {
    out.sample("pend_log_sink_down", {{"sink", sink->name()}},
               std::int64_t{sink->figures().down.load() ? 1 : 0});
  }
}

}  // namespace pend::app
