// What the access log costs the request thread: one entry for a finished request, formatted
// into the thread's ring (the writer thread drains it into a sink that discards the lines),
// and the line the writer hands to every file stream.
#include "http/request_context.hpp"
#include "logging/logger.hpp"
#include "middleware/access_log.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace pend;

class DiscardSink final : public logging::Sink {
 public:
  DiscardSink() : Sink(logging::Level::trace, logging::Filter::all) {}
  void write(const logging::RecordMeta&, std::string_view line) override { bytes_ += line.size(); }
  void flush() override {}
  std::string_view name() const override { return "discard"; }

 private:
  std::uint64_t bytes_ = 0;
};

void access_log_entry(benchmark::State& state) {
  logging::LoggerOptions options;
  options.version = "0.1.0";
  options.environment = "production";
  options.server_instance = "api-1";
  options.sinks.push_back(std::make_unique<DiscardSink>());
  logging::Logger logger(std::move(options));
  middleware::AccessLog access_log(logger);

  static const std::string kTemplate = "/api/v1/health/live";
  http::Request request{boost::beast::http::verb::get, "/api/v1/health/live", 11};
  request.set(boost::beast::http::field::host, "localhost");
  request.set(boost::beast::http::field::user_agent, "Pend/2.3.1 (iPhone; iOS 18.1)");
  http::RequestContext ctx(request);
  ctx.method = http::Method::get;
  ctx.match.path_template = &kTemplate;
  ctx.request_id = "01a2339a-6c2e-7a4b-9d1e-2f3a4b5c6d7e";
  ctx.correlation_id = ctx.request_id;
  ctx.client_address = boost::asio::ip::make_address("203.0.113.9");
  ctx.response.result(200);
  ctx.request_bytes = 112;
  ctx.response_bytes = 180;
  ctx.started = http::Clock::now();
  ctx.finished = ctx.started + std::chrono::microseconds(2610);
  for (auto _ : state) access_log.on_finish(ctx);
  logger.flush();
}
BENCHMARK(access_log_entry);

}  // namespace
