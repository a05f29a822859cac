// Every role against every admin route, generated from the router: a role with the route's
// permission gets past authorisation, a role without it gets 403 in the envelope; every admin
// route but sign-in and /admin/me declares a permission; docs/architecture/admin.md lists
// each admin route with the permission the code gives it, and the roles table as the code
// has it.
#include "cache/session_store.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"
#include "util/enum_name.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace pend::test {
namespace {

using http::Principal;
using security::Role;

constexpr Role kRoles[] = {Role::viewer, Role::support, Role::compliance, Role::admin,
                           Role::superadmin};

bool is_admin_route(const http::Route& route) {
  return route.options.access == http::Access::admin ||
         route.options.permission != security::Permission::none ||
         route.path_template.starts_with("/api/v1/admin/");
}

// A path with each {parameter} filled in with a well-formed value of no existing row.
std::string sample_path(const std::string& path_template) {
  return std::regex_replace(path_template, std::regex(R"(\{[^}]*\})"),
                            "00000000-0000-4000-8000-000000000000");
}

std::string read_doc(const std::string& path) {
  std::ifstream in(std::string{PEND_SOURCE_DIR} + "/" + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct RoleMatrixTest : ::testing::Test {
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
  // An active admin of the role with a live admin session (made the way sign-in makes it).
  std::string session_for(Role role) {
    const auto id = database.value(
        "INSERT INTO admin_users (email, display_name, password_hash, role) VALUES ('" +
        std::string{util::enum_name(role)} + "@example.com', 'A', 'x', '" +
        std::string{util::enum_name(role)} + "') RETURNING id");
    cache::SessionStore store(client.redis, config::SessionSettings{});
    return run_until_done(client.loop,
                          store.create(Principal::Kind::admin, id, "198.51.100.4", "panel/1"))
        .token;
  }

  ScratchDatabase database;
  TempRedis redis;
  RedisOnLoop client{redis.url()};
};

TEST_F(RoleMatrixTest, EveryRoleAgainstEveryAdminRoute) {
  TestServer server(settings());
  std::map<Role, std::string> tokens;
  for (const Role role : kRoles) tokens[role] = session_for(role);
  std::size_t checked = 0;
  for (const auto& route : server.app().router().routes()) {
    if (!is_admin_route(*route)) continue;
    const auto& path = route->path_template;
    const bool sign_in = path.starts_with("/api/v1/admin/auth/");
    if (sign_in) {
      EXPECT_EQ(route->options.access, http::Access::anyone) << path;
      continue;
    }
    if (path != "/api/v1/admin/me") {
      EXPECT_NE(route->options.permission, security::Permission::none)
          << path << ": an admin route must declare the permission it needs";
    }
    for (const Role role : kRoles) {
      const auto response =
          request(server.port(), std::string{http::to_string(route->method)}, sample_path(path),
                  {{"Authorization", "Bearer " + tokens[role]},
                   {"Content-Type", "application/json"},
                   // Not from this host as far as the ops rule goes: only the role counts.
                   {"X-Forwarded-For", "203.0.113.9"}},
                  route->method == http::Method::get ? "" : "{}");
      const bool allowed = security::allows(role, route->options.permission);
      const std::string where = std::string{http::to_string(route->method)} + " " + path + " as " +
                                std::string{util::enum_name(role)};
      if (allowed) {
        EXPECT_NE(response.status, 401u) << where << ": " << response.body;
        EXPECT_NE(response.status, 403u) << where << ": " << response.body;
      } else {
        EXPECT_EQ(response.status, 403u) << where << ": " << response.body;
        EXPECT_EQ(response.json().at("error").at("code"), "forbidden") << where;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 3u * std::size(kRoles));
}

TEST(AdminDocTest, TheRouteAndRoleTablesAreTheCodes) {
  app::Application application(test_settings());
  const std::string doc = read_doc("docs/architecture/admin.md");
  for (const auto& route : application.router().routes()) {
    if (!is_admin_route(*route)) continue;
    const std::string permission = route->options.permission == security::Permission::none
                                       ? "none"
                                       : std::string{to_string(route->options.permission)};
    const std::string row = "| " + std::string{http::to_string(route->method)} + " " +
                            route->path_template + " | " + permission + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/architecture/admin.md lacks " << row;
  }
  for (const Role role : kRoles) {
    std::string row = "| " + std::string{util::enum_name(role)} + " |";
    for (const auto permission : security::permissions_of(role)) {
      row += " " + std::string{to_string(permission)};
    }
    row += " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/architecture/admin.md lacks " << row;
  }
}

}  // namespace
}  // namespace pend::test
