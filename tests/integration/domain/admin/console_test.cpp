// The admin console against real PostgreSQL and Redis: searches with combined filters (and
// hostile filter text), changes with their audit rows written in the same transaction, the
// four-eyes approvals (the requester refused, two approvals at once applied once, rejected
// and expired requests changing nothing), denials recorded, a created admin's one-time
// password replaced at the first sign-in, and no secret in the log.
#include "cache/session_store.hpp"
#include "domain/auth/phone.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"
#include "util/clock.hpp"
#include "util/enum_name.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;
using http::Principal;
using security::Role;

constexpr const char* kPhone = "+447400123456";

struct ConsoleTest : ::testing::Test {
  void SetUp() override {
    if (!database.available() || !TempRedis::available()) {
      GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
    }
  }
  config::Settings settings() {
    auto s = test_settings();
    s.database.url = database.url();
    s.redis.url = redis.url();
    return s;
  }
  // An active admin with a live admin session; its id in *id.
  std::string session_for(Role role, const std::string& name, std::string* id = nullptr) {
    const auto admin = database.value(
        "INSERT INTO admin_users (email, display_name, password_hash, role) VALUES ('" + name +
        "@example.com', '" + name + "', 'x', '" + std::string{util::enum_name(role)} +
        "') RETURNING id");
    if (id != nullptr) *id = admin;
    cache::SessionStore store(client.redis, config::SessionSettings{});
    return run_until_done(client.loop,
                          store.create(Principal::Kind::admin, admin, "198.51.100.4", "panel/1"))
        .token;
  }
  std::string user(const std::string& address, int tier, const std::string& status,
                   const std::string& phone_hash, const std::string& created) {
    return database.value(
        "INSERT INTO users (phone_hash, blockchain_address, tier, status, created_at) VALUES ('" +
        phone_hash + "', '" + address + "', " + std::to_string(tier) + ", '" + status + "', '" +
        created + "') RETURNING id");
  }
  HttpResponse call(const TestServer& server, std::string_view method, const std::string& target,
                    const std::string& token, const std::string& body = {}) {
    return request(server.port(), method, target,
                   {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                   body);
  }
  std::vector<std::string> ids_of(const HttpResponse& response) {
    std::vector<std::string> ids;
    const auto body = response.json();
    for (const auto& item : body.at("items").as_array()) {
      ids.emplace_back(item.at("id").as_string());
    }
    return ids;
  }

  ScratchDatabase database;
  TempRedis redis;
  RedisOnLoop client{redis.url()};
};

std::string hash_of(const config::Settings& settings, const char* phone) {
  domain::auth::PhoneNumbers phones(settings.auth.default_region);
  return domain::auth::phone_hash(settings.auth.pepper(), *phones.parse(phone));
}

TEST_F(ConsoleTest, UserSearchCombinesFiltersPagesAndNeverShowsThePhoneHash) {
  const auto s = settings();
  TestServer server(s);
  const auto token = session_for(Role::viewer, "viewer");
  const auto a = user("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 2, "active", hash_of(s, kPhone),
                      "2026-11-01T10:00:00Z");
  const auto b = user("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", 2, "suspended",
                      std::string(64, 'b'), "2026-11-02T10:00:00Z");
  const auto c = user("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", 2, "active",
                      std::string(64, 'c'), "2026-11-03T10:00:00Z");

  // The phone as a person types it (national form), hashed for the lookup.
  auto r = call(server, "GET", "/api/v1/admin/users?phone=07400%20123456", token);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(ids_of(r), std::vector<std::string>{a});
  EXPECT_EQ(r.body.find("phone_hash"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(std::string(64, 'b')), std::string::npos);

  r = call(server, "GET", "/api/v1/admin/users?status=active&tier=2", token);
  EXPECT_EQ(ids_of(r), (std::vector<std::string>{c, a}));  // newest first
  r = call(server, "GET", "/api/v1/admin/users?address=0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
           token);
  EXPECT_EQ(ids_of(r), std::vector<std::string>{b});
  r = call(server, "GET",
           "/api/v1/admin/users?created_from=2026-11-02T00:00:00Z&created_to=2026-11-03T00:00:00Z",
           token);
  EXPECT_EQ(ids_of(r), std::vector<std::string>{b});

  // Pages of one: each row once, in order, then no cursor.
  std::vector<std::string> seen;
  std::string target = "/api/v1/admin/users?limit=1";
  for (int page = 0; page < 5; ++page) {
    r = call(server, "GET", target, token);
    ASSERT_EQ(r.status, 200u) << r.body;
    for (const auto& id : ids_of(r)) seen.push_back(id);
    const auto body = r.json();
    const auto& next = body.at("next_cursor");
    if (next.is_null()) break;
    target = "/api/v1/admin/users?limit=1&cursor=" + std::string{next.as_string()};
  }
  EXPECT_EQ(seen, (std::vector<std::string>{c, b, a}));

  // Request text stays a value: quotes, semicolons and comments find nothing, break nothing.
  for (const std::string hostile :
       {"%27%20OR%20%271%27%3D%271", "1%3B%20DROP%20TABLE%20users%3B--", "x%27)%20OR%20(1%3D1"}) {
    r = call(
        server, "GET",
        "/api/v1/admin/logs?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&category=" + hostile,
        token);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json().at("items").as_array().size(), 0u);
  }
  EXPECT_EQ(database.value("SELECT count(*) FROM users"), "3");
  r = call(server, "GET", "/api/v1/admin/users?cursor=bm90LWEtY3Vyc29y", token);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("error").at("code"), "invalid_cursor");
}

TEST_F(ConsoleTest, ASuspensionIsAuditedWithItsRowsAndEndsTheSessions) {
  TestServer server(settings());
  std::string admin_id;
  const auto token = session_for(Role::support, "support", &admin_id);
  const auto id = user("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 1, "active",
                       std::string(64, 'a'), "2026-11-01T10:00:00Z");
  cache::SessionStore store(client.redis, config::SessionSettings{});
  run_until_done(client.loop, store.create(Principal::Kind::user, id, "192.0.2.1", "app/1"));
  run_until_done(client.loop, store.create(Principal::Kind::user, id, "192.0.2.1", "app/1"));

  // No justification: refused, nothing changed, nothing audited.
  auto r = call(server, "POST", "/api/v1/admin/users/" + id + "/suspend", token, "{}");
  EXPECT_EQ(r.status, 422u) << r.body;
  EXPECT_EQ(database.value("SELECT status FROM users WHERE id = '" + id + "'"), "active");

  r = call(server, "POST", "/api/v1/admin/users/" + id + "/suspend", token,
           R"({"justification":"chargeback fraud, ticket 4411"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("status"), "applied");
  EXPECT_EQ(r.json().at("old_values").at("status"), "active");
  EXPECT_EQ(r.json().at("new_values").at("status"), "suspended");
  EXPECT_EQ(database.value("SELECT status FROM users WHERE id = '" + id + "'"), "suspended");
  EXPECT_EQ(database.value("SELECT admin_id || ' ' || (old_values->>'status') || ' ' || "
                           "(new_values->>'status') || ' ' || justification || ' ' || outcome || "
                           "' ' || (session_id IS NOT NULL)::text FROM admin_audit_logs "
                           "WHERE action = 'user.suspend' AND resource_id = '" +
                           id + "'"),
            admin_id + " active suspended chargeback fraud, ticket 4411 allowed true");
  EXPECT_TRUE(run_until_done(client.loop, store.list(Principal::Kind::user, id)).empty());

  // Twice is a conflict, not a second change.
  r = call(server, "POST", "/api/v1/admin/users/" + id + "/suspend", token,
           R"({"justification":"again"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(database.value("SELECT string_agg(outcome || ' ' || coalesce(new_values->>'why', "
                           "new_values->>'status'), ', ' ORDER BY seq) FROM admin_audit_logs "
                           "WHERE action = 'user.suspend'"),
            "allowed suspended, refused invalid_state");
  EXPECT_EQ(database.value("SELECT status FROM users WHERE id = '" + id + "'"), "suspended");
  // The detail shows the change.
  r = call(server, "GET", "/api/v1/admin/users/" + id, token);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("status"), "suspended");
  EXPECT_EQ(r.json().at("sessions").as_array().size(), 0u);
  EXPECT_EQ(r.json().at("audit").as_array().at(0).at("action"), "user.suspend");
}

TEST_F(ConsoleTest, AClosureWaitsForASecondAdminAndRunsOnceWhenTwoApproveAtOnce) {
  TestServer server(settings());
  std::string requester_id;
  const auto requester = session_for(Role::admin, "first", &requester_id);
  const auto second = session_for(Role::admin, "second");
  const auto third = session_for(Role::superadmin, "third");
  const auto id = user("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 1, "active",
                       std::string(64, 'a'), "2026-11-01T10:00:00Z");

  auto r = call(server, "POST", "/api/v1/admin/users/" + id + "/close", requester,
                R"({"justification":"customer asked to close"})");
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(r.json().at("status"), "pending");
  const std::string approval{r.json().at("approval_id").as_string()};
  EXPECT_EQ(database.value("SELECT status FROM users WHERE id = '" + id + "'"), "active");
  EXPECT_EQ(database.value("SELECT approval_required::text || ' ' || outcome FROM "
                           "admin_audit_logs WHERE action = 'user.close'"),
            "true pending");

  // The requester cannot approve their own.
  r = call(server, "POST", "/api/v1/admin/approvals/" + approval + "/approve", requester,
           R"({"justification":"mine"})");
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "own_request");
  EXPECT_EQ(database.value("SELECT status FROM users WHERE id = '" + id + "'"), "active");

  r = call(server, "GET", "/api/v1/admin/approvals", second);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(ids_of(r), std::vector<std::string>{approval});

  // Two admins approve at the same moment: one applies it, the other finds it decided.
  HttpResponse one, two;
  std::thread a([&] {
    one = call(server, "POST", "/api/v1/admin/approvals/" + approval + "/approve", second,
               R"({"justification":"checked the request"})");
  });
  std::thread b([&] {
    two = call(server, "POST", "/api/v1/admin/approvals/" + approval + "/approve", third,
               R"({"justification":"checked it too"})");
  });
  a.join();
  b.join();
  std::multiset<unsigned> statuses{one.status, two.status};
  EXPECT_EQ(statuses, (std::multiset<unsigned>{200u, 409u})) << one.body << two.body;
  EXPECT_EQ(database.value("SELECT status FROM users WHERE id = '" + id + "'"), "closed");
  EXPECT_EQ(database.value("SELECT count(*) || ' ' || min(admin_id::text) || ' ' || "
                           "bool_and(approved_by IS NOT NULL AND approved_at IS NOT NULL)::text "
                           "FROM admin_audit_logs WHERE action = 'user.close' AND outcome = "
                           "'approved'"),
            "1 " + requester_id + " true");
  EXPECT_EQ(database.value("SELECT status FROM admin_approvals WHERE id = '" + approval + "'"),
            "approved");
}

TEST_F(ConsoleTest, RejectedAndExpiredRequestsChangeNothing) {
  util::ManualClock clock;
  auto s = settings();
  s.admin.approval_ttl = 60s;
  TestServer server(s, {}, &clock);
  const auto requester = session_for(Role::admin, "first");
  const auto decider = session_for(Role::admin, "second");
  const auto id = user("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 1, "active",
                       std::string(64, 'a'), "2026-11-01T10:00:00Z");

  auto r = call(server, "PUT", "/api/v1/admin/users/" + id + "/tier", requester,
                R"({"tier":5,"justification":"enhanced review passed"})");
  ASSERT_EQ(r.status, 202u) << r.body;
  const std::string rejected{r.json().at("approval_id").as_string()};
  r = call(server, "POST", "/api/v1/admin/approvals/" + rejected + "/reject", decider,
           R"({"justification":"no evidence on file"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + id + "'"), "1");
  r = call(server, "POST", "/api/v1/admin/approvals/" + rejected + "/approve", decider,
           R"({"justification":"changed my mind"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + id + "'"), "1");

  // A tier up to 3 needs nobody else.
  r = call(server, "PUT", "/api/v1/admin/users/" + id + "/tier", requester,
           R"({"tier":3,"justification":"documents checked"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + id + "'"), "3");

  r = call(server, "PUT", "/api/v1/admin/users/" + id + "/tier", requester,
           R"({"tier":4,"justification":"address proof"})");
  ASSERT_EQ(r.status, 202u);
  const std::string expired{r.json().at("approval_id").as_string()};
  clock.advance(61s);  // past admin.approval_ttl_seconds
  r = call(server, "POST", "/api/v1/admin/approvals/" + expired + "/approve", decider,
           R"({"justification":"late"})");
  EXPECT_EQ(r.status, 410u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "approval_expired");
  EXPECT_EQ(database.value("SELECT tier FROM users WHERE id = '" + id + "'"), "3");
  EXPECT_EQ(database.value("SELECT status FROM admin_approvals WHERE id = '" + expired + "'"),
            "expired");
  EXPECT_EQ(database.value("SELECT count(*) FROM admin_audit_logs WHERE action = 'user.tier' "
                           "AND outcome = 'expired'"),
            "1");
}

TEST_F(ConsoleTest, LogsNeedABoundedRangeAndOneRequestTellsItsStory) {
  TestServer server(settings());
  const auto token = session_for(Role::viewer, "viewer");
  database.value(
      "INSERT INTO server_logs (timestamp, level, category, event_type, request_id, endpoint) "
      "VALUES ('2026-11-01T10:00:00Z', 'info', 'API', 'REQUEST', 'req-1', '/api/v1/me'), "
      "('2026-11-01T10:00:01Z', 'error', 'DATABASE', 'QUERY_FAILED', 'req-1', '/api/v1/me'), "
      "('2026-11-01T10:00:02Z', 'info', 'API', 'REQUEST', 'req-2', '/api/v1/me') RETURNING 1");

  auto r = call(server, "GET", "/api/v1/admin/logs?level=error", token);
  EXPECT_EQ(r.status, 422u) << r.body;
  r = call(server, "GET", "/api/v1/admin/logs?from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z",
           token);
  EXPECT_EQ(r.status, 422u) << r.body;  // more than 31 days

  r = call(server, "GET",
           "/api/v1/admin/logs?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&request_id=req-1"
           "&level=error",
           token);
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(r.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(r.json().at("items").at(0).at("event_type"), "QUERY_FAILED");
  EXPECT_FALSE(r.json().at("items").at(0).as_object().contains("cursor_at"));

  r = call(server, "GET", "/api/v1/admin/logs/requests/req-1", token);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto story = r.json();
  const auto& items = story.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items.at(0).at("event_type"), "REQUEST");
  EXPECT_EQ(items.at(1).at("event_type"), "QUERY_FAILED");
  EXPECT_EQ(call(server, "GET", "/api/v1/admin/logs/requests/none", token).status, 404u);
}

TEST_F(ConsoleTest, AnInvestigationIsRecordedAndADenialLeavesRows) {
  TestServer server(settings());
  std::string admin_id;
  const auto support = session_for(Role::support, "support", &admin_id);
  const auto viewer = session_for(Role::viewer, "viewer");
  const auto event = database.value(
      "INSERT INTO security_events (event_type, severity, ip_address) VALUES "
      "('rate_limit_exceeded', 'high', '203.0.113.7') RETURNING id");
  auto r = call(server, "GET",
                "/api/v1/admin/security-events?severity=high&investigated=false"
                "&ip_address=203.0.113.7",
                support);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(ids_of(r), std::vector<std::string>{event});
  r = call(server, "POST", "/api/v1/admin/security-events/" + event + "/investigate", support,
           R"({"notes":"a load test from our office","false_positive":true})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(database.value("SELECT investigated::text || ' ' || investigated_by || ' ' || "
                           "false_positive::text || ' ' || investigation_notes FROM "
                           "security_events WHERE id = '" +
                           event + "'"),
            "true " + admin_id + " true a load test from our office");
  r = call(server, "GET", "/api/v1/admin/security-events?investigated=false", support);
  EXPECT_TRUE(ids_of(r).empty());

  // A viewer may not change users: 403, and the refusal is recorded off the request path.
  r = call(server, "POST", "/api/v1/admin/users/" + event + "/suspend", viewer,
           R"({"justification":"x"})");
  EXPECT_EQ(r.status, 403u);
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  std::string rows;
  while (std::chrono::steady_clock::now() < give_up) {
    rows = database.value(
        "SELECT (SELECT count(*) FROM security_events WHERE event_type = 'admin_access_denied' "
        "AND threat_indicators->>'permission' = 'users.write') || ' ' || (SELECT count(*) FROM "
        "admin_audit_logs WHERE action = 'admin.access_denied' AND outcome = 'refused' AND "
        "resource_id = 'POST /api/v1/admin/users/{id}/suspend')");
    if (rows == "1 1") break;
    std::this_thread::yield();
  }
  EXPECT_EQ(rows, "1 1");
}

TEST_F(ConsoleTest, ACreatedAdminReplacesTheOneTimePasswordFirstAndNoSecretIsLogged) {
  TestServer server(settings());
  const auto super = session_for(Role::superadmin, "super");
  auto r = call(server, "POST", "/api/v1/admin/admins", super,
                R"({"email":"new@example.com","display_name":"New","role":"support",)"
                R"("justification":"joins the support team"})");
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string password{r.json().at("one_time_password").as_string()};
  EXPECT_EQ(password.size(), 20u);
  EXPECT_EQ(database.value("SELECT role || ' ' || password_must_change::text FROM admin_users "
                           "WHERE email = 'new@example.com'"),
            "support true");
  EXPECT_EQ(r.body.find("password_hash"), std::string::npos);
  // The audit row has the account, not the password.
  EXPECT_EQ(database.value("SELECT count(*) FROM admin_audit_logs WHERE action = 'admin.create' "
                           "AND position('" +
                           password + "' IN coalesce(new_values::text, '')) = 0"),
            "1");

  r = request(server.port(), "POST", "/api/v1/admin/auth/login",
              {{"Content-Type", "application/json"}},
              R"({"email":"new@example.com","password":")" + password + R"("})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("mfa"), "password_change");
  const std::string ticket{r.json().at("mfa_token").as_string()};
  // The one-time password is not a password of one's own; the ticket is not a code's.
  r = request(server.port(), "POST", "/api/v1/admin/auth/totp",
              {{"Content-Type", "application/json"}},
              R"({"mfa_token":")" + ticket + R"(","code":"123456"})");
  EXPECT_EQ(r.status, 401u);
  r = request(server.port(), "POST", "/api/v1/admin/auth/password",
              {{"Content-Type", "application/json"}},
              R"({"mfa_token":")" + ticket + R"(","new_password":")" + password + R"("})");
  EXPECT_EQ(r.status, 422u) << r.body;
  r = request(server.port(), "POST", "/api/v1/admin/auth/password",
              {{"Content-Type", "application/json"}},
              R"({"mfa_token":")" + ticket + R"(","new_password":"correct horse battery"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("mfa"), "enrol");
  EXPECT_EQ(database.value("SELECT password_must_change::text FROM admin_users WHERE email = "
                           "'new@example.com'"),
            "false");
  const auto log = server.log_text();
  EXPECT_EQ(log.find(password), std::string::npos);
  EXPECT_EQ(log.find("correct horse battery"), std::string::npos);
  EXPECT_EQ(log.find(super), std::string::npos);
}

TEST_F(ConsoleTest, AnImportedAdminSignsInWithAOneTimePasswordASuperadminGives) {
  TestServer server(settings());
  const auto super = session_for(Role::superadmin, "super2");
  // As import-legacy leaves one: a marker no password verifies, a change due, no TOTP.
  const auto imported = database.value(
      "INSERT INTO admin_users (email, display_name, password_hash, role, password_must_change, "
      "failed_login_attempts) VALUES ('old@example.com', 'Old', '!legacy-import: reset by a "
      "superadmin', 'support', true, 3) RETURNING id");
  auto r = request(
      server.port(), "POST", "/api/v1/admin/auth/login", {{"Content-Type", "application/json"}},
      R"({"email":"old@example.com","password":"!legacy-import: reset by a superadmin"})");
  EXPECT_EQ(r.status, 401u) << r.body;

  r = call(server, "POST", "/api/v1/admin/admins/" + imported + "/reset-password", super,
           R"({"justification":"moved over from the old server"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  const std::string password{r.json().at("one_time_password").as_string()};
  EXPECT_EQ(password.size(), 20u);
  EXPECT_EQ(database.value("SELECT password_must_change::text || ' ' || failed_login_attempts "
                           "FROM admin_users WHERE id = '" +
                           imported + "'"),
            "true 0");
  EXPECT_EQ(database.value("SELECT count(*) FROM admin_audit_logs WHERE action = "
                           "'admin.reset_password' AND resource_id = '" +
                           imported + "' AND position('" + password +
                           "' IN coalesce(new_values::text, '') || coalesce(old_values::text, "
                           "'')) = 0"),
            "1");
  r = request(server.port(), "POST", "/api/v1/admin/auth/login",
              {{"Content-Type", "application/json"}},
              R"({"email":"old@example.com","password":")" + password + R"("})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("mfa"), "password_change");
  // Not one's own password, whoever asks.
  std::string own;
  const auto own_session = session_for(Role::superadmin, "self", &own);
  r = call(server, "POST", "/api/v1/admin/admins/" + own + "/reset-password", own_session,
           R"({"justification":"forgot it"})");
  EXPECT_EQ(r.status, 409u) << r.body;
  EXPECT_EQ(server.log_text().find(password), std::string::npos);
}

}  // namespace
}  // namespace pend::test
