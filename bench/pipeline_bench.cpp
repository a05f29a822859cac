// Cost of one request through the full middleware chain and a trivial handler, without the
// network: what the server adds on top of Beast's parsing and the socket.
#include "http/http_metrics.hpp"
#include "http/request_pipeline.hpp"
#include "middleware/body_parser.hpp"
#include "middleware/cors.hpp"
#include "middleware/metrics.hpp"
#include "middleware/real_ip.hpp"
#include "middleware/request_id.hpp"
#include "middleware/security_headers.hpp"
#include "middleware/trace_context.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace {

using namespace pend;

void full_chain(benchmark::State& state) {
  auto router = std::make_shared<http::Router>();
  router->add(http::Method::get, "/api/v1/health/live",
              [](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
                ctx.json(200, {{"status", "ok"}});
                co_return;
              });
  config::CorsSettings cors;
  cors.allowed_origins = {"https://app.pend.example"};
  http::HttpMetrics http_metrics(router->templates());
  const http::RequestPipeline pipeline(
      router,
      {std::make_shared<middleware::RealIp>(std::vector<std::string>{"127.0.0.1/32"}),
       std::make_shared<middleware::RequestId>(),
       std::make_shared<middleware::TraceContextMiddleware>(),
       std::make_shared<middleware::SecurityHeaders>(false),
       std::make_shared<middleware::Cors>(cors), std::make_shared<middleware::BodyParser>()},
      {std::make_shared<middleware::Metrics>(http_metrics)});

  boost::asio::io_context io;
  http::Request request{boost::beast::http::verb::get, "/api/v1/health/live", 11};
  request.set(boost::beast::http::field::host, "localhost");
  request.set(boost::beast::http::field::user_agent, "bench");
  for (auto _ : state) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          http::RequestContext ctx(request);
          ctx.peer_address = boost::asio::ip::make_address("127.0.0.1");
          co_await pipeline.handle(ctx);
          benchmark::DoNotOptimize(ctx.response);
        },
        boost::asio::detached);
    io.run();
    io.restart();
  }
}
BENCHMARK(full_chain);

}  // namespace
