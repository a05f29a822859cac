// The HTTP core over real sockets: keep-alive, pipelining, limits, errors, ids, CORS.
#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <regex>
#include <set>
#include <sstream>

namespace pend::test {
namespace {

using http::Method;
using http::RequestContext;
using Awaitable = boost::asio::awaitable<void>;

void add_test_routes(app::Application& app) {
  auto& router = app.router();
  router.add(Method::get, "/test/throw", [](RequestContext&) -> Awaitable {
    throw std::runtime_error("secret internal detail: password=hunter2");
    co_return;
  });
  router.add(Method::get, "/test/refuse", [](RequestContext&) -> Awaitable {
    throw http::ApiError::validation_failed("amount must be positive",
                                            {boost::json::object{{"field", "amount"}}});
    co_return;
  });
  router.add(Method::post, "/test/echo",
             [](RequestContext& ctx) -> Awaitable {
               ctx.json(200, {{"received", ctx.body}});
               co_return;
             },
             {.json_body = true});
  router.add(Method::get, "/test/blocks/{number:uint}", [](RequestContext& ctx) -> Awaitable {
    ctx.json(200, {{"number", ctx.match.params.get("number")}});
    co_return;
  });
  router.add(Method::get, "/test/context", [](RequestContext& ctx) -> Awaitable {
    ctx.json(200, {{"request_id", ctx.request_id},
                   {"correlation_id", ctx.correlation_id},
                   {"trace_id", ctx.trace.trace_id},
                   {"client", ctx.client_address.to_string()},
                   {"tls", ctx.client_tls}});
    co_return;
  });
}

class ServerTest : public ::testing::Test {
 protected:
  TestServer server{test_settings(), add_test_routes};
};

TEST_F(ServerTest, LiveAnswersJsonWithIdsAndSecurityHeaders) {
  const auto res = request(server.port(), "GET", "/api/v1/health/live");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(res.json().at("status"), "ok");
  EXPECT_TRUE(std::regex_match(res.header("X-Request-Id"),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                          "[0-9a-f]{12}")));
  EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(res.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
  EXPECT_EQ(res.header("Server"), "");
  EXPECT_EQ(res.header("Strict-Transport-Security"), "") << "no HSTS on plain HTTP";
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  RawConnection connection(server.port());
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    connection.send(build_request("GET", "/api/v1/health/live"));
    const auto res = connection.read_response();
    ASSERT_TRUE(res) << "request " << i;
    EXPECT_EQ(res->status, 200u);
    EXPECT_TRUE(res->keep_alive);
    ids.insert(res->header("X-Request-Id"));
  }
  EXPECT_EQ(ids.size(), 20u) << "every request gets its own id";
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawConnection connection(server.port());
  std::string burst;
  for (int i = 0; i < 10; ++i) {
    burst += build_request("GET", "/test/blocks/" + std::to_string(i),
                           {{"X-Request-Id", "pipelined-" + std::to_string(i)}});
  }
  connection.send(burst);  // all ten heads in one write
  for (int i = 0; i < 10; ++i) {
    const auto res = connection.read_response();
    ASSERT_TRUE(res) << "response " << i;
    EXPECT_EQ(res->header("X-Request-Id"), "pipelined-" + std::to_string(i));
    EXPECT_EQ(res->json().at("number").as_string(), std::to_string(i));
  }
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  RawConnection connection(server.port());
  connection.send(build_request("GET", "/api/v1/health/live", {{"Connection", "close"}}));
  const auto res = connection.read_response();
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->keep_alive);
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST_F(ServerTest, UnknownPathIs404Envelope) {
  const auto res = request(server.port(), "GET", "/api/v1/nope", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(res.status, 404u);
  const auto error = res.json().at("error");
  EXPECT_EQ(error.at("code"), "not_found");
  EXPECT_EQ(error.at("request_id"), "abc-123");
  EXPECT_FALSE(error.at("message").as_string().empty());
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  const auto res = request(server.port(), "DELETE", "/api/v1/health/live");
  EXPECT_EQ(res.status, 405u);
  EXPECT_EQ(res.header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(res.json().at("error").at("code"), "method_not_allowed");
}

TEST_F(ServerTest, MistypedPathParameterIs400) {
  const auto res = request(server.port(), "GET", "/test/blocks/latest");
  EXPECT_EQ(res.status, 400u);
  const auto error = res.json().at("error");
  EXPECT_EQ(error.at("code"), "invalid_path_parameter");
  EXPECT_EQ(error.at("details").at(0).at("parameter"), "number");
}

TEST_F(ServerTest, HeadMirrorsGetWithoutBody) {
  const auto get = request(server.port(), "GET", "/api/v1/health/live");
  const auto head = request(server.port(), "HEAD", "/api/v1/health/live");
  EXPECT_EQ(head.status, 200u);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body.size()));
}

TEST_F(ServerTest, PlainOptionsListsAllowedMethods) {
  const auto res = request(server.port(), "OPTIONS", "/test/echo");
  EXPECT_EQ(res.status, 204u);
  EXPECT_EQ(res.header("Allow"), "POST, OPTIONS");
}

TEST_F(ServerTest, CorsPreflightForAllowedOrigin) {
  const auto res = request(server.port(), "OPTIONS", "/test/echo",
                           {{"Origin", "https://app.pend.example"},
                            {"Access-Control-Request-Method", "POST"},
                            {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(res.status, 204u);
  EXPECT_EQ(res.header("Access-Control-Allow-Origin"), "https://app.pend.example");
  EXPECT_EQ(res.header("Access-Control-Allow-Methods"), "POST, OPTIONS");
  EXPECT_NE(res.header("Access-Control-Allow-Headers").find("Content-Type"), std::string::npos);
  EXPECT_EQ(res.header("Access-Control-Max-Age"), "600");
  EXPECT_EQ(res.header("Vary"), "Origin");
}

TEST_F(ServerTest, CorsPreflightFromOtherOriginIsRefused) {
  const auto res =
      request(server.port(), "OPTIONS", "/test/echo",
              {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(res.status, 403u);
  EXPECT_EQ(res.header("Access-Control-Allow-Origin"), "");
}

TEST_F(ServerTest, CorsHeadersOnActualRequests) {
  const auto allowed = request(server.port(), "GET", "/api/v1/health/live",
                               {{"Origin", "https://app.pend.example"}});
  EXPECT_EQ(allowed.header("Access-Control-Allow-Origin"), "https://app.pend.example");
  EXPECT_NE(allowed.header("Access-Control-Expose-Headers").find("X-Request-Id"),
            std::string::npos);
  const auto other =
      request(server.port(), "GET", "/api/v1/health/live", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.status, 200u);
  EXPECT_EQ(other.header("Access-Control-Allow-Origin"), "");
}

TEST_F(ServerTest, JsonBodyIsParsed) {
  const auto res =
      request(server.port(), "POST", "/test/echo",
              {{"Content-Type", "application/json; charset=utf-8"}}, R"({"amount": 5})");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.json().at("received").at("amount"), 5);
}

TEST_F(ServerTest, WrongContentTypeIs415) {
  const auto res = request(server.port(), "POST", "/test/echo", {{"Content-Type", "text/plain"}},
                           R"({"amount": 5})");
  EXPECT_EQ(res.status, 415u);
  EXPECT_EQ(res.json().at("error").at("code"), "unsupported_media_type");
}

TEST_F(ServerTest, MalformedJsonIs400) {
  const auto res = request(server.port(), "POST", "/test/echo",
                           {{"Content-Type", "application/json"}}, R"({"amount": )");
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(res.json().at("error").at("code"), "invalid_json");
}

TEST_F(ServerTest, TrailingGarbageAfterJsonIs400) {
  const auto res = request(server.port(), "POST", "/test/echo",
                           {{"Content-Type", "application/json"}}, R"({"a":1} {"b":2})");
  EXPECT_EQ(res.status, 400u);
}

TEST_F(ServerTest, OversizedContentLengthIs413BeforeTheBodyIsSent) {
  RawConnection connection(server.port());
  // Only the head: the server must decide from Content-Length alone.
  connection.send(
      "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 104857600\r\n\r\n");
  const auto res = connection.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413u);
  EXPECT_EQ(res->json().at("error").at("code"), "payload_too_large");
  EXPECT_FALSE(res->header("X-Request-Id").empty());
  EXPECT_FALSE(res->keep_alive);
}

TEST_F(ServerTest, OversizedChunkedBodyIsCutOffWith413) {
  RawConnection connection(server.port());
  connection.send(
      "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(64 * 1024, 'a');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  std::optional<HttpResponse> res;
  try {
    for (int i = 0; i < 32; ++i) connection.send(std::string{size_line} + chunk + "\r\n");
  } catch (const std::exception&) {
    // The server may stop reading once it has answered; the answer is what matters.
  }
  res = connection.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413u);
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  RawConnection connection(server.port());
  connection.send(
      build_request("GET", "/api/v1/health/live", {{"X-Filler", std::string(32 * 1024, 'x')}}));
  const auto res = connection.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431u);
  EXPECT_EQ(res->json().at("error").at("code"), "header_too_large");
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  RawConnection connection(server.port());
  connection.send("GET /api/v1/health/live HTTP/1.1\r\nBad Header Without Colon\r\n\r\n");
  const auto res = connection.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400u);
  EXPECT_EQ(res->json().at("error").at("code"), "malformed_request");
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST_F(ServerTest, AmbiguousBodyFramingIsRefusedNotGuessed) {
  // Both framings, or two lengths: a proxy and this server could disagree on where the next
  // request starts (request smuggling), so the request is refused and the connection closed.
  for (const std::string head : {"POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                                 "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                 "1\r\nContent-Length: 2\r\n\r\nab"}) {
    RawConnection connection(server.port());
    connection.send(head + build_request("GET", "/api/v1/health/live"));
    const auto res = connection.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400u);
    EXPECT_EQ(res->json().at("error").at("code"), "malformed_request");
    EXPECT_FALSE(connection.read_response()) << "nothing after it is served";
  }
}

TEST_F(ServerTest, HandlerExceptionIs500WithoutInternals) {
  const auto res = request(server.port(), "GET", "/test/throw", {{"X-Request-Id", "boom-1"}});
  EXPECT_EQ(res.status, 500u);
  const auto error = res.json().at("error");
  EXPECT_EQ(error.at("code"), "internal_error");
  EXPECT_EQ(error.at("request_id"), "boom-1");
  EXPECT_EQ(res.body.find("hunter2"), std::string::npos);
  EXPECT_EQ(res.body.find("secret"), std::string::npos);
  // The operator still learns what happened, tied to the request id.
  const auto log = server.log_text();
  EXPECT_NE(log.find("UNHANDLED_EXCEPTION"), std::string::npos);
  EXPECT_NE(log.find("boom-1"), std::string::npos);
  // The server keeps serving.
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live").status, 200u);
}

TEST_F(ServerTest, DomainErrorKeepsItsStatusCodeAndDetails) {
  const auto res = request(server.port(), "GET", "/test/refuse");
  EXPECT_EQ(res.status, 422u);
  const auto error = res.json().at("error");
  EXPECT_EQ(error.at("code"), "validation_failed");
  EXPECT_EQ(error.at("details").at(0).at("field"), "amount");
}

TEST_F(ServerTest, WellFormedRequestIdIsEchoedAndBadOneReplaced) {
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live", {{"X-Request-Id", "client.id-42"}})
                .header("X-Request-Id"),
            "client.id-42");
  const auto replaced = request(server.port(), "GET", "/api/v1/health/live",
                                {{"X-Request-Id", "bad id with spaces\x01"}})
                            .header("X-Request-Id");
  EXPECT_EQ(replaced.size(), 36u);
  const auto too_long =
      request(server.port(), "GET", "/api/v1/health/live", {{"X-Request-Id", std::string(37, 'a')}})
          .header("X-Request-Id");
  EXPECT_NE(too_long, std::string(37, 'a'));
}

TEST_F(ServerTest, TraceparentBecomesTheCorrelationId) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const auto res = request(server.port(), "GET", "/test/context",
                           {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}});
  const auto body = res.json();
  EXPECT_EQ(body.at("correlation_id").as_string(), trace_id);
  EXPECT_EQ(body.at("trace_id").as_string(), trace_id);

  const auto without = request(server.port(), "GET", "/test/context").json();
  EXPECT_EQ(without.at("correlation_id"), without.at("request_id"));

  const auto invalid =
      request(server.port(), "GET", "/test/context",
              {{"traceparent", "00-" + std::string(32, '0') + "-00f067aa0ba902b7-01"}})
          .json();
  EXPECT_EQ(invalid.at("correlation_id"), invalid.at("request_id"));
}

TEST_F(ServerTest, ForwardedForIsIgnoredFromUntrustedPeers) {
  // The test client connects from 127.0.0.1, which test_settings() trusts by default;
  // a server that trusts nobody must ignore the header.
  auto settings = test_settings();
  settings.server.trusted_proxies = {};
  TestServer untrusting(settings, add_test_routes);
  const auto body = request(untrusting.port(), "GET", "/test/context",
                            {{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Proto", "https"}})
                        .json();
  EXPECT_EQ(body.at("client"), "127.0.0.1");
  EXPECT_EQ(body.at("tls"), false);
}

TEST_F(ServerTest, ForwardedForFromTrustedProxyNamesTheClient) {
  const auto res = request(server.port(), "GET", "/test/context",
                           {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9, 127.0.0.1"},
                            {"X-Forwarded-Proto", "https"}});
  const auto body = res.json();
  EXPECT_EQ(body.at("client"), "203.0.113.9") << "the first untrusted hop from the right";
  EXPECT_EQ(body.at("tls"), true);
  EXPECT_FALSE(res.header("Strict-Transport-Security").empty()) << "HSTS behind TLS";
}

TEST_F(ServerTest, AccessLogHasOneEntryPerRequestWithTheRouteTemplate) {
  request(server.port(), "GET", "/test/blocks/77",
          {{"X-Request-Id", "log-check-1"}, {"User-Agent", "gtest \"quoted\" \\ agent"}});
  const auto log = server.log_text();
  std::istringstream lines(log);
  std::string line;
  int entries = 0;
  while (std::getline(lines, line)) {
    if (line.find("log-check-1") == std::string::npos) continue;
    ++entries;
    const auto entry = boost::json::parse(line);
    EXPECT_EQ(entry.at("event_type"), "HTTP_REQUEST");
    EXPECT_EQ(entry.at("endpoint"), "/test/blocks/{number}");
    EXPECT_EQ(entry.at("method"), "GET");
    EXPECT_EQ(entry.at("status_code"), 200);
    EXPECT_EQ(entry.at("ip_address"), "127.0.0.1");
    EXPECT_EQ(entry.at("level"), "INFO");
    EXPECT_EQ(entry.at("service"), "pend-server");
    EXPECT_EQ(entry.at("user_agent"), "gtest \"quoted\" \\ agent");
    EXPECT_TRUE(entry.as_object().contains("performance"));
  }
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(log.find("/test/blocks/77"), std::string::npos) << "raw paths stay out of logs";
}

}  // namespace
}  // namespace pend::test
