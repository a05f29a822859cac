// log_load: entries per second through pend-server's logging pipeline, driven like
// bench/logging/winston.js (bench/logging.sh runs both):
//   log_load --mode files --entries N --dir DIR        the server-%DATE% file stream
//   log_load --mode postgres --entries N --url URL     the PostgreSQL sink (server_logs)
// N access-log entries (the typed Entry API) from --threads producer threads; the clock stops
// when every entry is in the file / in the table. Prints
// "RESULT entries=N seconds=S per_second=R dropped=D".
#include "db/blocking_session.hpp"
#include "logging/entry.hpp"
#include "logging/file_sink.hpp"
#include "logging/logger.hpp"
#include "sinks/postgres_sink.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using pend::logging::Level;

std::uint64_t lines_in(const std::filesystem::path& dir) {
  std::uint64_t lines = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      lines += static_cast<std::uint64_t>(std::count(buffer, buffer + in.gcount(), '\n'));
    }
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"log_load: entries per second through the logging pipeline"};
  std::string mode = "files", dir = "build/bench-logging/files", url;
  std::uint64_t entries = 400'000;
  unsigned threads = 2;
  cli.add_option("--mode", mode)->check(CLI::IsMember({"files", "postgres"}));
  cli.add_option("--entries", entries);
  cli.add_option("--threads", threads);
  cli.add_option("--dir", dir);
  cli.add_option("--url", url);
  CLI11_PARSE(cli, argc, argv);

  pend::logging::LoggerOptions options;
  options.level = Level::info;
  options.version = "1.0.0";
  options.environment = "production";
  // Rings large enough that no entry is dropped: the figure is the sustained rate.
  options.ring_bytes = std::size_t{256} << 20;
  if (mode == "files") {
    std::filesystem::remove_all(dir);
    options.sinks.push_back(std::make_unique<pend::logging::FileSink>(
        pend::logging::FileSinkOptions{.dir = dir, .name = "server", .level = Level::info}));
  } else {
    options.sinks.push_back(std::make_unique<pend::sinks::PostgresSink>(
        pend::sinks::PostgresSinkOptions{.url = url, .log_dir = dir}));
  }
  auto logger = std::make_unique<pend::logging::Logger>(std::move(options));

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> producers;
  for (unsigned t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      char request_id[64];
      for (std::uint64_t i = t; i < entries; i += threads) {
        std::snprintf(request_id, sizeof request_id, "0190c3f0-6c2e-7a4b-9d1e-%012llu",
                      static_cast<unsigned long long>(i));
        pend::logging::Entry e;
        e.category = "API";
        e.event_type = "HTTP_REQUEST";
        e.message = "request";
        e.request_id = request_id;
        e.correlation_id = "0190c3f0-6c2e-7a4b-9d1e-2f3a4b5c6d7e";
        e.ip_address = "203.0.113.9";
        e.user_agent = "bench/1.0";
        e.endpoint = "/api/v1/config";
        e.method = "GET";
        e.status_code = 200;
        e.response_time_ms = 3;
        e.request_size_bytes = 0;
        e.response_size_bytes = 139;
        logger->log(e);
      }
    });
  }
  for (auto& producer : producers) producer.join();
  const auto dropped = logger->dropped();
  if (mode == "files") {
    logger.reset();  // drained and flushed
    const auto written = lines_in(dir);
    if (written != entries - dropped) {
      std::fprintf(stderr, "wrote %llu lines, expected %llu\n",
                   static_cast<unsigned long long>(written),
                   static_cast<unsigned long long>(entries - dropped));
      return 1;
    }
  } else {
    // The sink counts rows once their COPY has committed; polling count(*) instead would
    // scan the growing table over and over and take PostgreSQL's CPU from the load itself.
    logger->flush();
    const auto& sink = dynamic_cast<const pend::logging::BatchSink&>(*logger->sinks().front());
    while (sink.figures().rows.load() < entries - dropped) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (mode == "postgres") {  // and the table agrees
    pend::db::BlockingSession session(url);
    const auto stored = std::stoull(session.exec("SELECT count(*) FROM server_logs").value(0, 0));
    if (stored != entries - dropped) {
      std::fprintf(stderr, "stored %llu rows, expected %llu\n",
                   static_cast<unsigned long long>(stored),
                   static_cast<unsigned long long>(entries - dropped));
      return 1;
    }
  }
  std::printf("RESULT entries=%llu seconds=%.3f per_second=%.0f dropped=%llu",
              static_cast<unsigned long long>(entries), seconds,
              static_cast<double>(entries) / seconds, static_cast<unsigned long long>(dropped));
  if (mode == "postgres") {  // how the rows went: straight in, or set aside and replayed
    const auto& figures =
        dynamic_cast<const pend::logging::BatchSink&>(*logger->sinks().front()).figures();
    std::printf(" batches=%llu spooled=%llu replayed=%llu",
                static_cast<unsigned long long>(figures.batches.load()),
                static_cast<unsigned long long>(figures.spooled.load()),
                static_cast<unsigned long long>(figures.replayed.load()));
  }
  std::printf("\n");
  return 0;
}
