// Database work belongs to its request: it is cut to the request's budget, and it stops
// when the client goes away (the connection's sweeper cancels the statement in flight).
#include "db/request_scope.hpp"
#include "db/blocking_session.hpp"
#include "db/database.hpp"
#include "http/request_context.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;

constexpr db::Statement kSlow{"test.slow_request", "SELECT pg_sleep(20), 'slow request marker'"};

void add_slow_route(app::Application& app) {
  auto& database = app.database();
  app.router().add(http::Method::get, "/test/slow",
                   [&database](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
                     co_await database.query(kSlow, db::request_scope(ctx));
                     ctx.json(200, {{"done", true}});
                   });
}

int running_slow_statements(const std::string& url) {
  db::BlockingSession session(url);
  const auto rows = session.exec(
      "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
      " AND query LIKE '%slow request marker%' AND pid <> pg_backend_pid()");
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
  TestServer server(settings, add_slow_route);
  const auto started = std::chrono::steady_clock::now();
  const auto response = request(server.port(), "GET", "/test/slow");
  EXPECT_EQ(response.status, 503u) << response.body;
  EXPECT_EQ(response.header("Retry-After"), "1");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(RequestScopeTest, AClientThatLeavesCancelsItsStatement) {
  TestServer server(test_settings(), add_slow_route);
  {
    RawConnection client(server.port());
    client.send(build_request("GET", "/test/slow"));
    // Wait until the statement runs on the server, then hang up.
    for (int i = 0; i < 100 && running_slow_statements(url_) == 0; ++i) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(running_slow_statements(url_), 1);
  }
  int left = 1;
  for (int i = 0; i < 150 && left > 0; ++i) {
    std::this_thread::sleep_for(20ms);
    left = running_slow_statements(url_);
  }
  EXPECT_EQ(left, 0) << "the statement was cancelled within a few sweeps, not after 20 s";
}

}  // namespace
}  // namespace pend::test
