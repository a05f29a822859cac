// Sessions through the server: Bearer tokens resolve to principals, routes refuse what
// their Access forbids, sessions are listed and revoked over HTTP, and with Redis down a
// signed-in route answers 503 rather than let anyone in.
#include "cache/session_store.hpp"
#include "http/request_context.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using http::Principal;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct SessionsTest : ::testing::Test {
  void SetUp() override {
    if (!TempRedis::available()) GTEST_SKIP() << "scripts/test provides redis-server";
  }
  config::Settings settings() {
    auto s = test_settings();
    s.redis.url = redis.url();
    s.cache.enabled = true;
    return s;
  }
  static void routes(app::Application& app) {
    app.router().add(http::Method::get, "/test/admin-only",
                     [](http::RequestContext& ctx) -> asio::awaitable<void> {
                       ctx.json(200, {{"admin", ctx.principal.id}});
                       co_return;
                     },
                     {.access = http::Access::admin});
  }
  // Sessions are made the way sign-in will make them: through the store, on Redis.
  cache::NewSession sign_in(Principal::Kind kind, const std::string& id) {
    cache::SessionStore store(client.redis, config::SessionSettings{});
    return run_until_done(client.loop, store.create(kind, id, "198.51.100.4", "app/2.1"));
  }
  static Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"User-Agent", "app/2.1"}};
  }

  TempRedis redis;
  RedisOnLoop client{redis.url()};
};

TEST_F(SessionsTest, SignedInRoutesNeedAValidTokenOfTheRightKind) {
  TestServer server(settings(), routes);
  auto res = request(server.port(), "GET", "/api/v1/sessions");
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(res.json().at("error").at("code"), "unauthenticated");
  EXPECT_EQ(res.header("WWW-Authenticate"), "Bearer");

  const std::vector<std::string> wrong = {"Bearer not-a-token", "Basic dXNlcjpwYXNz",
                                          "Bearer " + std::string(43, 'A')};
  for (const auto& header : wrong) {
    res = request(server.port(), "GET", "/api/v1/sessions", {{"Authorization", header}});
    EXPECT_EQ(res.status, 401u) << header;
    EXPECT_EQ(res.json().at("error").at("code"), "invalid_token") << header;
    EXPECT_EQ(res.header("WWW-Authenticate"), "Bearer error=\"invalid_token\"");
  }

  const auto user = sign_in(Principal::Kind::user, "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  res = request(server.port(), "GET", "/api/v1/sessions", bearer(user.token));
  ASSERT_EQ(res.status, 200u) << res.body;
  const auto items = res.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id").as_string(), user.session.id);
  EXPECT_EQ(items[0].at("kind"), "user");
  EXPECT_EQ(items[0].at("current"), true);
  EXPECT_EQ(items[0].at("ip_address"), "198.51.100.4");
  EXPECT_EQ(res.body.find(user.token), std::string::npos) << "the token is never shown again";
  // The access log names the principal and the session, never the token.
  std::string logged;
  for (int i = 0; i < 100 && logged.find(user.session.id) == std::string::npos; ++i) {
    logged = server.log_text();
    if (logged.find(user.session.id) == std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_NE(logged.find(R"("user_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","session_id":")" +
                        user.session.id),
            std::string::npos)
      << logged;
  EXPECT_EQ(logged.find(user.token), std::string::npos) << "a token in the log";

  res = request(server.port(), "GET", "/test/admin-only", bearer(user.token));
  EXPECT_EQ(res.status, 403u) << "a user session on an admin route";
  // An admin session counts only while its admin_users row is active (checked on every
  // request; tests/integration/domain/admin has the admins that are): "a-1" is none.
  const auto admin = sign_in(Principal::Kind::admin, "a-1");
  res = request(server.port(), "GET", "/test/admin-only", bearer(admin.token));
  EXPECT_EQ(res.status, 401u);
}

TEST_F(SessionsTest, SignOutHereSignOutOneAndSignOutEverywhere) {
  TestServer server(settings(), routes);
  const std::string id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  const auto phone = sign_in(Principal::Kind::user, id);
  const auto laptop = sign_in(Principal::Kind::user, id);
  const auto tablet = sign_in(Principal::Kind::user, id);
  const auto stranger = sign_in(Principal::Kind::user, "someone-else");

  // Ending someone else's session is "not found", not a hint that it exists.
  auto res = request(server.port(), "DELETE", "/api/v1/sessions/" + phone.session.id,
                     bearer(stranger.token));
  EXPECT_EQ(res.status, 404u);
  res = request(server.port(), "DELETE", "/api/v1/sessions/not-hex", bearer(phone.token));
  EXPECT_EQ(res.status, 400u);

  res = request(server.port(), "DELETE", "/api/v1/sessions/" + tablet.session.id,
                bearer(phone.token));
  EXPECT_EQ(res.status, 204u);
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/sessions", bearer(tablet.token)).status, 401u);

  res = request(server.port(), "DELETE", "/api/v1/sessions?keep_current=true", bearer(phone.token));
  ASSERT_EQ(res.status, 200u);
  EXPECT_EQ(res.json().at("revoked"), 1) << "the laptop";
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/sessions", bearer(laptop.token)).status, 401u);
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/sessions", bearer(phone.token)).status, 200u);

  res = request(server.port(), "DELETE", "/api/v1/sessions/current", bearer(phone.token));
  EXPECT_EQ(res.status, 204u);
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/sessions", bearer(phone.token)).status, 401u);
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/sessions", bearer(stranger.token)).status, 200u);
}

TEST_F(SessionsTest, WithRedisDownSignedInRoutesAnswer503AndPublicOnesServe) {
  ScratchDatabase database;
  if (!database.available()) GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL";
  const auto user = sign_in(Principal::Kind::user, "u-9");
  auto s = settings();
  s.database.url = database.url();
  TestServer server(s, routes);
  ASSERT_EQ(request(server.port(), "GET", "/api/v1/sessions", bearer(user.token)).status, 200u);
  redis.stop();
  auto res = request(server.port(), "GET", "/api/v1/sessions", bearer(user.token));
  EXPECT_EQ(res.status, 503u);
  EXPECT_EQ(res.json().at("error").at("code"), "session_store_unavailable");
  EXPECT_EQ(res.header("Retry-After"), "1");
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/sessions").status, 401u)
      << "no credentials is still 401";
  res = request(server.port(), "GET", "/api/v1/config");
  EXPECT_EQ(res.status, 200u) << "public routes serve";
  res = request(server.port(), "GET", "/api/v1/health/ready");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.json().at("status"), "degraded");
  EXPECT_EQ(res.json().at("checks").at("redis").at("status"), "down");
  EXPECT_EQ(res.json().at("checks").at("redis").at("critical"), false);
}

}  // namespace
}  // namespace pend::test
