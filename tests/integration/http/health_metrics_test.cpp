// Readiness against the real PostgreSQL and Redis that scripts/test starts, and against
// closed ports; /metrics content and its access control.
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

namespace pend::test {
namespace {

// A loopback port with nothing listening on it.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();  // closed again when acceptor goes
}

TEST(HealthTest, ReadyWhenPostgresqlAndRedisAnswer) {
  if (env("PEND_TEST_DATABASE_URL").empty() || env("PEND_TEST_REDIS_URL").empty()) {
    GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and PEND_TEST_REDIS_URL";
  }
  TestServer server;
  const auto res = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(res.status, 200u) << res.body;
  const auto body = res.json();
  EXPECT_EQ(body.at("status"), "ready");
  EXPECT_EQ(body.at("checks").at("postgresql").at("status"), "up");
  EXPECT_EQ(body.at("checks").at("redis").at("status"), "up");
}

TEST(HealthTest, NotReadyWithAPerCheckReportWhenADependencyIsDown) {
  auto settings = test_settings();
  settings.redis.url = "redis://127.0.0.1:" + std::to_string(closed_port()) + "/0";
  settings.database.url =
      "postgresql://pend:do-not-leak@127.0.0.1:" + std::to_string(closed_port()) + "/pend";
  TestServer server(settings);
  const auto res = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(res.status, 503u);
  EXPECT_FALSE(res.header("Retry-After").empty());
  const auto body = res.json();
  EXPECT_EQ(body.at("status"), "not_ready");
  EXPECT_EQ(body.at("checks").at("redis").at("status"), "down");
  EXPECT_EQ(body.at("checks").at("postgresql").at("status"), "down");
  EXPECT_FALSE(body.at("checks").at("redis").at("error").as_string().empty());
  EXPECT_EQ(res.body.find("do-not-leak"), std::string::npos);
}

TEST(HealthTest, APortThatIsNotRedisIsNotReady) {
  // Something listens, but it is an HTTP server, not Redis: a TCP check would pass.
  TestServer other;
  auto settings = test_settings();
  settings.redis.url = "redis://127.0.0.1:" + std::to_string(other.port());
  TestServer server(settings);
  const auto body = request(server.port(), "GET", "/api/v1/health/ready").json();
  EXPECT_EQ(body.at("checks").at("redis").at("status"), "down");
}

TEST(MetricsTest, RequestsShowUpByRouteTemplateAndStatusClass) {
  TestServer server;
  for (int i = 0; i < 3; ++i) request(server.port(), "GET", "/api/v1/health/live");
  request(server.port(), "GET", "/no/such/path/123");
  const auto res = request(server.port(), "GET", "/metrics");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = res.body;
  EXPECT_NE(text.find("http_server_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/"
                      "health/live\",status=\"2xx\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"unmatched\",status=\"4xx\"} 1"), std::string::npos);
  EXPECT_EQ(text.find("/no/such/path"), std::string::npos) << "raw paths are not labels";
  EXPECT_NE(text.find("le=\"+Inf\""), std::string::npos);
  EXPECT_NE(text.find("http_server_requests_in_flight 1"), std::string::npos)
      << "the scrape itself is in flight";
  EXPECT_NE(text.find("pend_build_info{version="), std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("process_open_fds "), std::string::npos);
}

TEST(MetricsTest, TokenIsRequiredWhenConfigured) {
  auto settings = test_settings();
  settings.metrics.token = "scrape-secret";
  TestServer server(settings);
  EXPECT_EQ(request(server.port(), "GET", "/metrics").status, 401u);
  EXPECT_EQ(
      request(server.port(), "GET", "/metrics", {{"Authorization", "Bearer wrong-secret"}}).status,
      401u);
  EXPECT_EQ(
      request(server.port(), "GET", "/metrics", {{"Authorization", "Bearer scrape-secret"}}).status,
      200u);
}

TEST(MetricsTest, LoopbackOnlyRefusesForwardedClients) {
  auto settings = test_settings();
  settings.metrics.loopback_only = true;
  TestServer server(settings);
  EXPECT_EQ(request(server.port(), "GET", "/metrics").status, 200u);
  // Through a trusted proxy (loopback) for a remote client: not loopback any more.
  EXPECT_EQ(request(server.port(), "GET", "/metrics", {{"X-Forwarded-For", "203.0.113.5"}}).status,
            403u);
  EXPECT_EQ(request(server.port(), "GET", "/metrics", {{"X-Forwarded-For", "127.0.0.1"}}).status,
            403u)
      << "a forwarded request is never a local one";
}

}  // namespace
}  // namespace pend::test
