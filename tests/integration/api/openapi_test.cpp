// docs/api/openapi.yaml and the router describe the same API: every route is documented and
// every documented operation is routed.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace pend::test {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(OpenApiTest, SpecAndRouterAgreeBothWays) {
  const YAML::Node spec = YAML::LoadFile(std::string{PEND_SOURCE_DIR} + "/docs/api/openapi.yaml");
  ASSERT_EQ(spec["openapi"].as<std::string>().substr(0, 3), "3.1");

  static const std::set<std::string> kOperations = {"get", "put", "post", "delete", "patch"};
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& path : spec["paths"]) {
    for (const auto& operation : path.second) {
      const auto method = operation.first.as<std::string>();
      if (kOperations.contains(method)) documented.emplace(method, path.first.as<std::string>());
    }
  }

  // Everything the production composition root routes; the app is built, not started.
  app::Application application(test_settings());
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& route : application.router().routes()) {
    routed.emplace(lower(http::to_string(route->method)), route->path_template);
  }

  for (const auto& [method, path] : routed) {
    EXPECT_TRUE(documented.contains({method, path}))
        << "routed but not in docs/api/openapi.yaml: " << method << " " << path;
  }
  for (const auto& [method, path] : documented) {
    EXPECT_TRUE(routed.contains({method, path}))
        << "documented but not routed: " << method << " " << path;
  }
  EXPECT_FALSE(routed.empty());
}

}  // namespace
}  // namespace pend::test
