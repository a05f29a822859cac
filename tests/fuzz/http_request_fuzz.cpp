// Bytes a client sends, through what the connection runs on them without a socket: the
// request parser with the connection's bounded read buffer (pipelined requests, reads of the
// sizes the input chooses), the refusal mapping, and the request pipeline with the
// middleware that needs no server (ids, trace context, headers, CORS, body parser,
// authorization), the router and typed bodies and queries. Nothing may crash, hang or leak.
#include "http/api_error.hpp"
#include "http/read.hpp"
#include "http/request_parser.hpp"
#include "http/request_pipeline.hpp"
#include "http/route_table.hpp"
#include "middleware/authenticate.hpp"
#include "middleware/body_parser.hpp"
#include "middleware/cors.hpp"
#include "middleware/real_ip.hpp"
#include "middleware/request_id.hpp"
#include "middleware/security_headers.hpp"
#include "middleware/trace_context.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>

using namespace pend;

namespace fuzz {

namespace asio = boost::asio;

struct Transfer {
  static constexpr std::string_view kSchema = "Transfer";
  std::string to;
  std::int64_t amount = 0;
  std::optional<std::vector<std::string>> tags;
};
BOOST_DESCRIBE_STRUCT(Transfer, (), (to, amount, tags))

struct Search {
  static constexpr std::string_view kSchema = "Search";
  std::optional<std::int64_t> limit;
  std::optional<std::string> cursor;
  std::optional<bool> exact;
};
BOOST_DESCRIBE_STRUCT(Search, (), (limit, cursor, exact))

asio::awaitable<void> echo_transfer(http::RequestContext& ctx) {
  const auto body = http::read_body<Transfer>(ctx);
  http::respond(ctx, 201, body);
  co_return;
}

asio::awaitable<void> search(http::RequestContext& ctx) {
  const auto query = http::read_query<Search>(ctx);
  ctx.json(200, {{"limit", query.limit.value_or(0)}});
  co_return;
}

asio::awaitable<void> item(http::RequestContext& ctx) {
  ctx.json(200, {{"id", ctx.match.params.get("id")}, {"address", ctx.match.params.get("a")}});
  co_return;
}

const http::RequestPipeline& pipeline() {
  static const auto built = [] {
    auto router = std::make_shared<http::Router>();
    router->add(http::Method::post, "/transfers", echo_transfer,
                {.body = &http::schema_of<Transfer>()});
    router->add(http::Method::get, "/search", search, {.query = &http::schema_of<Search>()});
    router->add(http::Method::get, "/items/{id:uint}/owners/{a:evm_address}", item);
    router->add(http::Method::delete_, "/items/{id:uuid}", item, {.access = http::Access::user});
    router->add(http::Method::get, "/hashes/{h:hash}", item,
                {.access = http::Access::admin,
                 .permission = security::Permission::users_read,
                 .ops_access = true});
    config::CorsSettings cors;
    cors.allowed_origins = {"https://app.example"};
    std::vector<std::shared_ptr<http::Middleware>> chain = {
        std::make_shared<middleware::RealIp>(std::vector<std::string>{"127.0.0.1/32"}),
        std::make_shared<middleware::RequestId>(),
        std::make_shared<middleware::TraceContextMiddleware>(),
        std::make_shared<middleware::SecurityHeaders>(false),
        std::make_shared<middleware::Cors>(cors),
        std::make_shared<middleware::BodyParser>(),
        std::make_shared<middleware::Authorize>("ops-token"),
    };
    return std::make_shared<http::RequestPipeline>(
        router, std::move(chain), std::vector<std::shared_ptr<http::RequestObserver>>{});
  }();
  return *built;
}

}  // namespace fuzz

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const http::ParserLimits limits{.header_limit = 2048, .body_limit = 4096};
  // The first byte picks the read size, as the network would cut the stream.
  const std::size_t read_size = 1 + data[0] % 64;
  std::string_view input{reinterpret_cast<const char*>(data + 1), size - 1};
  boost::beast::flat_buffer buffer(limits.header_limit + 1024);
  asio::io_context loop;
  for (int requests = 0; requests < 8; ++requests) {
    http::RequestParser parser(limits);
    boost::beast::error_code ec;
    bool head = true;
    while (!parser.is_done()) {
      // Feed what is buffered; read more when the parser needs it.
      if (buffer.size() > 0) {
        const auto used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (!ec && head && parser.is_header_done()) head = false;
        if (ec == boost::beast::http::error::need_more) {
          ec = {};
        } else if (ec) {
          break;
        } else if (used > 0) {
          continue;
        }
      }
      if (input.empty()) {
        parser.put_eof(ec);
        if (!ec) ec = boost::beast::http::error::partial_message;
        break;
      }
      const auto n = std::min({read_size, input.size(), buffer.max_size() - buffer.size()});
      if (n == 0) {
        ec = boost::beast::http::error::buffer_overflow;
        break;
      }
      auto room = buffer.prepare(n);
      std::memcpy(room.data(), input.data(), n);
      buffer.commit(n);
      input.remove_prefix(n);
    }
    http::RequestContext ctx(parser.get());
    ctx.peer_address = asio::ip::make_address("127.0.0.1");
    if (ec) {
      const auto refusal = http::refusal_for(
          ec, head ? http::ReadPhase::head : http::ReadPhase::body, limits.body_limit);
      if (refusal) pipeline().reject(ctx, *refusal);
      return 0;
    }
    asio::co_spawn(loop, pipeline().handle(ctx), asio::detached);
    loop.run();
    loop.restart();
    if (!parser.get().keep_alive()) return 0;
  }
  return 0;
}
