// The HTTP core against hostile clients (issue 13's findings, each reproduced): unbounded
// chunk extensions and trailers, trailers posing as headers, request-smuggling shapes of
// Transfer-Encoding, missing or doubled Host, silent connections, one address taking every
// slot, forged forwarding headers, readiness leaking error text, 100-continue before routing,
// a response that made Beast throw, and the response cache's key budget.
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <fstream>
#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string code_of(const HttpResponse& response) {
  return std::to_string(response.status) + " " +
         std::string{response.json().at("error").at("code").as_string()};
}

// Sends a raw request and reads the answer on a fresh connection.
std::optional<HttpResponse> exchange(std::uint16_t port, std::string_view bytes) {
  RawConnection connection(port, 5s);
  connection.send(bytes);
  return connection.read_response();
}

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

// Streams `total` bytes of chunk extension (or trailer) and returns how many the server took
// before it closed the connection.
std::size_t stream_until_refused(std::uint16_t port, std::string_view head, char filler,
                                 std::size_t total) {
  RawConnection connection(port, 10s);
  connection.send(head);
  const std::string block(64 * 1024, filler);
  std::size_t sent = 0;
  while (sent < total) {
    const auto n = ::send(connection.fd(), block.data(), block.size(), MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed or reset the connection
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

TEST(HardeningTest, ChunkExtensionsAndTrailersCannotGrowTheServer) {
  const auto port = free_port();
  auto server = spawn({"serve", "--no-dotenv", "--port", std::to_string(port), "--threads", "1"},
                      {"PEND_ENV=test", "PEND_WORKERS=", "LOG_LEVEL=warn"});
  ASSERT_TRUE(wait_for_port(port)) << server->output();
  ASSERT_EQ(request(port, "GET", "/api/v1/health/live").status, 200u);
  const long before = resident_kib(server->pid);
  ASSERT_GT(before, 0);

  constexpr std::size_t k64MiB = 64u << 20;
  const std::string chunked_head =
      "POST /api/v1/health/live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const auto extension = stream_until_refused(port, chunked_head + "1;", 'e', k64MiB);
  const auto trailer = stream_until_refused(port, chunked_head + "0\r\nX-Trailer: ", 't', k64MiB);
  const long after = resident_kib(server->pid);

  EXPECT_LT(extension, 8u << 20) << "the connection was refused early, not after 64 MiB";
  EXPECT_LT(trailer, 8u << 20);
  EXPECT_LT(after - before, 16 * 1024)
      << "resident memory stayed flat: " << before << " KiB -> " << after << " KiB";
  EXPECT_EQ(request(port, "GET", "/api/v1/health/live").status, 200u) << "still serving";
}

TEST(HardeningTest, LongChunkLinesAndTrailersAreRefusedWithTheRightStatus) {
  TestServer server;
  const std::string head =
      "POST /api/v1/health/live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto r =
      exchange(server.port(), head + "1;" + std::string(40 * 1024, 'e') + "\r\na\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(code_of(*r), "400 framing_too_large");
  r = exchange(server.port(),
               head + "1\r\na\r\n0\r\nX-Big: " + std::string(40 * 1024, 't') + "\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(code_of(*r), "400 framing_too_large");
  r = exchange(server.port(),
               "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40 * 1024, 'h') + "\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(code_of(*r), "431 header_too_large");
}

TEST(HardeningTest, TrailersAreRefusedAndNeverBecomeHeaders) {
  TestServer server;
  const std::string request_text =
      "POST /api/v1/health/live HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\nX-Forwarded-For: 1.2.3.4\r\nX-Request-Id: trailer-id\r\n\r\n";
  RawConnection connection(server.port(), 5s);
  connection.send(request_text);
  const auto response = connection.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(code_of(*response), "400 trailers_not_allowed");
  EXPECT_NE(response->header("X-Request-Id"), "trailer-id");
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(connection.closed_by_peer());
  EXPECT_EQ(server.log_text().find("1.2.3.4"), std::string::npos) << "never read as a header";
}

TEST(HardeningTest, TransferEncodingNotEndingInChunkedIsRefusedAndClosed) {
  TestServer server;
  for (const char* coding :
       {"gzip", "chunked, gzip", "identity", "xchunked", "chunked, chunked", ""}) {
    // A smuggled second request would follow the body a lenient parser ignored.
    const std::string text = std::string{"POST /api/v1/health/live HTTP/1.1\r\nHost: x\r\n"} +
                             "Transfer-Encoding: " + coding +
                             "\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /api/v1/health/live HTTP/1.1\r\n"
                             "Host: x\r\n\r\n";
    RawConnection connection(server.port(), 5s);
    connection.send(text);
    const auto response = connection.read_response();
    ASSERT_TRUE(response) << coding;
    EXPECT_EQ(code_of(*response), "400 bad_transfer_encoding") << coding;
    EXPECT_FALSE(connection.read_response()) << coding << ": nothing after the refusal";
  }
  // Content-Length beside Transfer-Encoding is refused too.
  const auto both = exchange(server.port(),
                             "POST /api/v1/health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 400u);
  // Codings that end in chunked frame the body: the request reaches its route.
  const auto framed = exchange(server.port(),
                               "POST /api/v1/health/live HTTP/1.1\r\nHost: x\r\n"
                               "Transfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
  ASSERT_TRUE(framed);
  EXPECT_EQ(framed->status, 405u);
}

TEST(HardeningTest, Http11NeedsExactlyOneHost) {
  TestServer server;
  auto r = exchange(server.port(), "GET /api/v1/health/live HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(code_of(*r), "400 bad_host");
  r = exchange(server.port(), "GET /api/v1/health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(code_of(*r), "400 bad_host");
  r = exchange(server.port(), "GET /api/v1/health/live HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u) << "HTTP/1.0 may leave Host out";
}

TEST(HardeningTest, SilentConnectionsAreClosedAfterTheFirstByteTimeoutOnly) {
  auto settings = test_settings();
  settings.server.first_byte_timeout = 300ms;
  settings.server.idle_timeout = 60s;
  TestServer server(settings);
  RawConnection kept(server.port(), 10s);
  kept.send(build_request("GET", "/api/v1/health/live"));
  ASSERT_TRUE(kept.read_response());
  // A connection that never speaks is let go; the kept-alive one, idle longer by now, is not.
  RawConnection silent(server.port(), 10s);
  EXPECT_TRUE(silent.closed_by_peer());
  kept.send(build_request("GET", "/api/v1/health/live"));
  const auto again = kept.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200u);
}

TEST(HardeningTest, OneAddressCannotHoldEverySlot) {
  auto settings = test_settings();
  settings.server.max_connections_per_ip = 3;
  settings.server.trusted_proxies = {};  // loopback is a client like any other here
  TestServer server(settings);
  std::vector<std::unique_ptr<RawConnection>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<RawConnection>(server.port(), 5s));
    open.back()->send(build_request("GET", "/api/v1/health/live"));
    ASSERT_TRUE(open.back()->read_response()) << i;
  }
  const auto refused = request(server.port(), "GET", "/api/v1/health/live");
  EXPECT_EQ(code_of(refused), "503 over_capacity");
  open.pop_back();  // one slot free again once the server sees the close
  unsigned status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = request(server.port(), "GET", "/api/v1/health/live").status;
    if (status != 200) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, 200u);
  open.clear();
  HttpResponse metrics_response;
  for (int i = 0; i < 100 && metrics_response.status != 200; ++i) {
    metrics_response = request(server.port(), "GET", "/metrics");  // once the slots are free
    if (metrics_response.status != 200) std::this_thread::sleep_for(20ms);
  }
  const auto& metrics = metrics_response.body;
  EXPECT_NE(metrics.find(R"(http_server_connections_refused_total{reason="per_address_limit"})"),
            std::string::npos);
}

TEST(HardeningTest, ForwardingHeadersCountOnlyFromTrustedProxies) {
  ScratchDatabase database;
  if (!database.available() || !TempRedis::available()) {
    GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
  }
  TempRedis redis;
  auto settings = test_settings();
  settings.database.url = database.url();
  settings.redis.url = redis.url();
  settings.rate_limit.enabled = true;
  settings.rate_limit.rules = {"global api ip 3/1h low"};
  settings.server.trusted_proxies = {};
  {
    TestServer untrusted(settings);
    std::vector<unsigned> statuses;
    for (int i = 0; i < 5; ++i) {
      statuses.push_back(request(untrusted.port(), "GET", "/api/v1/config",
                                 {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}})
                             .status);
    }
    EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 429, 429}))
        << "rotating X-Forwarded-For from an untrusted peer buys nothing: the peer is the key";
    const auto log = untrusted.log_text();
    EXPECT_EQ(log.find("203.0.113."), std::string::npos) << "the forged address is not logged";
    // Loopback with any forwarding header is not "this host" for the ops routes.
    for (const char* header : {"X-Forwarded-Host", "Forwarded", "Via", "X-Real-IP"}) {
      const auto res =
          request(untrusted.port(), "GET", "/api/v1/admin/metrics/system", {{header, "127.0.0.1"}});
      EXPECT_EQ(res.status, 403u) << header;
    }
  }
  settings.server.trusted_proxies = {"127.0.0.1/32"};
  settings.rate_limit.rules = {"trusted * ip 1/1h low"};
  TestServer trusted(settings);
  EXPECT_EQ(request(trusted.port(), "GET", "/api/v1/config", {{"X-Forwarded-For", "198.51.100.1"}})
                .status,
            200u);
  EXPECT_EQ(request(trusted.port(), "GET", "/api/v1/config", {{"X-Forwarded-For", "198.51.100.2"}})
                .status,
            200u)
      << "from the trusted proxy, each client address is its own key";
  EXPECT_EQ(request(trusted.port(), "GET", "/api/v1/config",
                    {{"Forwarded", "for=198.51.100.1;proto=https"}})
                .status,
            429u)
      << "Forwarded (RFC 7239) names the same client";
  EXPECT_EQ(request(trusted.port(), "GET", "/api/v1/config",
                    {{"Forwarded", "for=\"[2001:db8::7]:4711\""}})
                .status,
            200u);
  EXPECT_EQ(
      request(trusted.port(), "GET", "/api/v1/config", {{"X-Forwarded-For", "2001:db8::7"}}).status,
      429u);
}

TEST(HardeningTest, PublicReadinessNamesTheFailedCheckButNotItsError) {
  auto settings = test_settings();
  settings.database.url = "postgresql://nobody@127.0.0.1:" + std::to_string(free_port()) + "/none";
  settings.database.connect_timeout = 300ms;
  settings.ops.token = "ops-token-0123456789";
  settings.server.trusted_proxies = {"127.0.0.1/32"};
  TestServer server(settings);
  const Headers remote = {{"X-Forwarded-For", "203.0.113.5"}};
  const auto pub = request(server.port(), "GET", "/api/v1/health/ready", remote);
  ASSERT_EQ(pub.status, 503u) << pub.body;
  const auto body = pub.json();
  const auto& check = body.at("checks").at("postgresql").as_object();
  EXPECT_EQ(check.at("status"), "down");
  EXPECT_TRUE(check.contains("latency_us"));
  EXPECT_FALSE(check.contains("error")) << pub.body;
  EXPECT_EQ(pub.body.find("127.0.0.1"), std::string::npos) << "no host or port: " << pub.body;

  Headers ops = remote;
  ops.emplace_back("Authorization", "Bearer ops-token-0123456789");
  const auto detailed = request(server.port(), "GET", "/api/v1/health/ready", ops);
  EXPECT_TRUE(detailed.json().at("checks").at("postgresql").as_object().contains("error"))
      << detailed.body;
  EXPECT_NE(server.log_text().find("HEALTH_CHECK_FAILED"), std::string::npos)
      << "the error text went to the log";
}

TEST(HardeningTest, ContinueIsSentOnlyToRequestsThatWillBeServed) {
  TestServer server;
  RawConnection connection(server.port(), 5s);
  connection.send(
      "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  const auto response = connection.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405u) << "refused without inviting the body";
  RawConnection signed_in(server.port(), 5s);
  signed_in.send(
      "DELETE /api/v1/sessions/current HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
      "Expect: 100-continue\r\n\r\n");
  const auto refused = signed_in.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(code_of(*refused), "401 unauthenticated");
}

TEST(HardeningTest, ABodyOnANoContentResponseDoesNotEndTheProcess) {
  TestServer server(test_settings(), [](app::Application& app) {
    app.router().add(http::Method::get, "/test/empty",
                     [](http::RequestContext& ctx) -> asio::awaitable<void> {
                       ctx.json(204, {{"not", "allowed"}});
                       co_return;
                     });
  });
  const auto response = request(server.port(), "GET", "/test/empty");
  EXPECT_EQ(response.status, 204u);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live").status, 200u);
}

TEST(HardeningTest, QueryParametersARouteDoesNotDeclareAreRefused) {
  TestServer server;
  const auto response = request(server.port(), "GET", "/api/v1/health/live?anything=1");
  EXPECT_EQ(code_of(response), "400 unknown_parameter");
}

}  // namespace
}  // namespace pend::test
