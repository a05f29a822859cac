// Connection lifecycle: timeouts against slow clients, the connection limit, and graceful
// shutdown with a request in flight.
#include "http/request_context.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <future>
#include <thread>

namespace pend::test {
namespace {

using Awaitable = boost::asio::awaitable<void>;

// A handler that takes its time without blocking its shard, and tells when it started.
struct SlowRoute {
  std::atomic<int> started{0};
  std::chrono::milliseconds delay{800};

  void install(app::Application& app) {
    app.router().add(
        http::Method::get, "/test/slow", [this](http::RequestContext& ctx) -> Awaitable {
          started.fetch_add(1);
          boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
          co_await timer.async_wait(boost::asio::use_awaitable);
          ctx.json(200, {{"slow", true}});
        });
  }
};

void wait_until(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000 && !condition(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(condition());
}

TEST(LifecycleTest, SlowlorisHeadIsCutOffAtTheHeaderTimeout) {
  auto settings = test_settings();
  settings.server.header_timeout = std::chrono::milliseconds(300);
  TestServer server(settings);
  RawConnection slow(server.port());
  // Start a head and never finish it; the server must close, whatever we trickle.
  slow.send("GET /api/v1/health/live HTTP/1.1\r\nHost: x\r\n");
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    try {
      slow.send("X-Drip: 1\r\n");
    } catch (const std::exception&) {
      break;  // already closed
    }
  }
  EXPECT_TRUE(slow.closed_by_peer());
  // Meanwhile others are served.
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live").status, 200u);
}

TEST(LifecycleTest, IdleKeepAliveConnectionIsClosed) {
  auto settings = test_settings();
  settings.server.idle_timeout = std::chrono::milliseconds(200);
  TestServer server(settings);
  RawConnection connection(server.port());
  connection.send(build_request("GET", "/api/v1/health/live"));
  ASSERT_TRUE(connection.read_response());
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST(LifecycleTest, ConnectionsAboveTheLimitGet503AndTheServerLives) {
  auto settings = test_settings();
  settings.server.max_connections = 3;
  settings.server.threads = 1;
  TestServer server(settings);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConnection>(server.port()));
    held.back()->send(build_request("GET", "/api/v1/health/live"));
    ASSERT_TRUE(held.back()->read_response());  // accepted and served, still open
  }
  RawConnection over(server.port());
  over.send(build_request("GET", "/api/v1/health/live"));
  const auto refused = over.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503u);
  EXPECT_EQ(refused->header("Retry-After"), "1");
  EXPECT_EQ(refused->json().at("error").at("code"), "over_capacity");

  held.clear();  // capacity comes back
  wait_until([&] {
    try {
      return request(server.port(), "GET", "/api/v1/health/live").status == 200u;
    } catch (const std::exception&) {
      return false;
    }
  });
}

TEST(LifecycleTest, ShutdownFinishesTheRequestInFlightThenStops) {
  SlowRoute slow;
  TestServer server(test_settings(), [&](app::Application& app) { slow.install(app); });
  RawConnection busy(server.port());
  RawConnection idle(server.port());
  idle.send(build_request("GET", "/api/v1/health/live"));
  ASSERT_TRUE(idle.read_response());

  busy.send(build_request("GET", "/test/slow"));
  wait_until([&] { return slow.started.load() == 1; });
  server.shutdown();  // what SIGTERM does

  const auto res = busy.read_response();
  ASSERT_TRUE(res) << "the in-flight request completes";
  EXPECT_EQ(res->status, 200u);
  EXPECT_FALSE(res->keep_alive) << "and its connection is closed after it";
  EXPECT_TRUE(idle.closed_by_peer()) << "idle keep-alive connections are closed at once";
  server.wait();
  EXPECT_THROW(RawConnection{server.port()}, std::runtime_error) << "no longer accepting";
}

TEST(LifecycleTest, ShutdownDeadlineBoundsASlowRequest) {
  SlowRoute slow;
  slow.delay = std::chrono::seconds(30);
  auto settings = test_settings();
  settings.server.shutdown_timeout = std::chrono::milliseconds(200);
  TestServer server(settings, [&](app::Application& app) { slow.install(app); });
  RawConnection busy(server.port());
  busy.send(build_request("GET", "/test/slow"));
  wait_until([&] { return slow.started.load() == 1; });
  server.shutdown();
  server.wait();  // returns after the deadline, not after 30 s
  EXPECT_FALSE(busy.read_response());
}

TEST(LifecycleTest, ReadinessFailsOnceDrainingStarts) {
  TestServer server;
  server.app().health().set_draining();  // the first thing shutdown() does
  const auto ready = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_EQ(ready.json().at("status"), "draining");
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live").status, 200u);
}

}  // namespace
}  // namespace pend::test
