// Database work belongs to its request: it is cut to the request's budget, and it stops
// when the client goes away (the connection's sweeper cancels the statement in flight).
#include "db/request_scope.hpp"
#include "db/blocking_session.hpp"
#include "db/database.hpp"
#include "http/request_context.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

// Each test has its own statement (ctest runs tests in parallel on one PostgreSQL).
constexpr db::Statement kSlowBudget{"test.slow_budget", "SELECT pg_sleep(20), 'marker budget'"};
constexpr db::Statement kSlowLeave{"test.slow_leave", "SELECT pg_sleep(20), 'marker leave'"};

std::function<void(app::Application&)> slow_route(const db::Statement& statement) {
  return [&statement](app::Application& app) {
    auto& database = app.database();
    app.router().add(
        http::Method::get, "/test/slow",
        [&database, &statement](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
          co_await database.query(statement, db::request_scope(ctx));
          ctx.json(200, {{"done", true}});
        });
  };
}

int running(const std::string& url, const db::Statement& statement) {
  db::BlockingSession session(url);
  const auto rows =
      session.exec("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = $1",
                   {statement.sql});
  return std::stoi(rows.value(0, 0));
}

class RequestScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = env("PEND_TEST_DATABASE_URL");
    if (url_.empty()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  }
  std::string url_;
};

TEST_F(RequestScopeTest, TheRequestBudgetCutsTheStatementWith503) {
  auto settings = test_settings();
  settings.server.request_timeout = 300ms;
  TestServer server(settings, slow_route(kSlowBudget));
  const auto started = std::chrono::steady_clock::now();
  const auto response = request(server.port(), "GET", "/test/slow");
  EXPECT_EQ(response.status, 503u) << response.body;
  EXPECT_EQ(response.header("Retry-After"), "1");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(RequestScopeTest, AClientThatLeavesCancelsItsStatement) {
  TestServer server(test_settings(), slow_route(kSlowLeave));
  {
    RawConnection client(server.port());
    client.send(build_request("GET", "/test/slow"));
    // Wait until the statement runs on the server, then hang up.
    for (int i = 0; i < 100 && running(url_, kSlowLeave) == 0; ++i) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(running(url_, kSlowLeave), 1);
  }
  int left = 1;
  for (int i = 0; i < 150 && left > 0; ++i) {
    std::this_thread::sleep_for(20ms);
    left = running(url_, kSlowLeave);
  }
  EXPECT_EQ(left, 0) << "the statement was cancelled within a few sweeps, not after 20 s";
}

}  // namespace
}  // namespace pend::test
