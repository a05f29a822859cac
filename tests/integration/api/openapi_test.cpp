// docs/api/openapi.yaml and the router describe the same API: every route is documented and
// every documented operation is routed, and each route's declared body, query and response
// types have the fields, types and required members the spec gives them.
#include "http/json_mapping.hpp"
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

// The node a $ref points at ("#/components/schemas/Session"), or the node itself.
YAML::Node resolve(const YAML::Node& spec, const YAML::Node& node) {
  if (!node["$ref"]) return node;
  auto path = node["$ref"].as<std::string>();
  EXPECT_TRUE(path.starts_with("#/")) << path;
  YAML::Node at = spec;
  std::size_t start = 2;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto key = path.substr(start, slash == std::string::npos ? slash : slash - start);
    at.reset(at[key]);  // (operator= would overwrite the node it refers to)
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return at;
}

// The schema a property refers to: its $ref, or for a nullable one (an optional struct)
// the $ref beside {type: 'null'} in its oneOf.
std::string ref_name(const YAML::Node& node) {
  if (!node["$ref"]) {
    if (!node["oneOf"] || node["oneOf"].size() != 2) return {};
    for (const auto& choice : node["oneOf"]) {
      if (choice["$ref"]) return ref_name(choice);
    }
    return {};
  }
  const auto path = node["$ref"].as<std::string>();
  return path.substr(path.rfind('/') + 1);
}

// The spec's type words for a schema: "string", or ["string", "null"] as a set.
std::set<std::string> types_of(const YAML::Node& schema) {
  std::set<std::string> types;
  if (!schema["type"]) return types;
  if (schema["type"].IsSequence()) {
    for (const auto& t : schema["type"]) types.insert(t.as<std::string>());
  } else {
    types.insert(schema["type"].as<std::string>());
  }
  return types;
}

// One field of a described type against the property the spec gives it.
void expect_field(const YAML::Node& spec, const http::TypeSchema& type,
                  const http::FieldSchema& field, const YAML::Node& property) {
  const std::string where = std::string{type.name} + "." + std::string{field.name};
  ASSERT_TRUE(property.IsDefined()) << where << " is not in the spec";
  if (!field.ref.empty()) {
    EXPECT_EQ(ref_name(property), field.ref) << where << " should refer to " << field.ref;
    return;
  }
  const auto resolved = resolve(spec, property);
  if (field.type.empty()) return;  // any JSON
  const auto types = types_of(resolved);
  EXPECT_TRUE(types.contains(std::string{field.type}))
      << where << ": the code has " << field.type << ", the spec does not";
  if (!field.required) {
    EXPECT_TRUE(types.contains("null")) << where << " is optional (null) in the code";
  }
  if (field.type == "array" && !field.items.empty()) {
    const auto items = resolved["items"];
    const auto name = ref_name(items);
    if (!name.empty()) {
      EXPECT_EQ(name, field.items) << where << " items";
    } else {
      EXPECT_TRUE(types_of(items).contains(std::string{field.items})) << where << " items";
    }
  }
}

// A body or response type against its component: the same properties, the same required
// (a response writes every member, null when empty; a body may leave optional ones out).
void expect_component(const YAML::Node& spec, const http::TypeSchema& type, bool response) {
  const auto component = spec["components"]["schemas"][std::string{type.name}];
  ASSERT_TRUE(component.IsDefined()) << type.name << " is not in components.schemas";
  std::set<std::string> in_code, in_spec, required_code, required_spec;
  for (const auto& field : type.fields) {
    in_code.emplace(field.name);
    if (field.required || response) required_code.emplace(field.name);
    expect_field(spec, type, field, component["properties"][std::string{field.name}]);
  }
  for (const auto& property : component["properties"])
    in_spec.insert(property.first.as<std::string>());
  for (const auto& name : component["required"]) required_spec.insert(name.as<std::string>());
  EXPECT_EQ(in_code, in_spec) << type.name << ": fields differ between code and spec";
  EXPECT_EQ(required_code, required_spec) << type.name << ": required fields differ";
}

TEST(OpenApiTest, DeclaredTypesMatchTheirSchemas) {
  const YAML::Node spec = YAML::LoadFile(std::string{PEND_SOURCE_DIR} + "/docs/api/openapi.yaml");
  app::Application application(test_settings());
  int compared = 0;
  for (const auto& route : application.router().routes()) {
    const auto& options = route->options;
    const auto operation =
        spec["paths"][route->path_template][lower(http::to_string(route->method))];
    const std::string where = lower(http::to_string(route->method)) + " " + route->path_template;
    if (!operation.IsDefined()) continue;  // the other test reports it
    if (options.body != nullptr) {
      const auto schema = operation["requestBody"]["content"]["application/json"]["schema"];
      EXPECT_EQ(ref_name(schema), options.body->name) << where << " request body";
      expect_component(spec, *options.body, /*response=*/false);
      ++compared;
    }
    if (options.response != nullptr) {
      std::string name;
      for (const auto& response : operation["responses"]) {
        const auto code = response.first.as<std::string>();
        if (!code.starts_with('2')) continue;
        const auto body = resolve(spec, response.second);
        name = ref_name(body["content"]["application/json"]["schema"]);
        break;
      }
      EXPECT_EQ(name, options.response->name) << where << " success response";
      expect_component(spec, *options.response, /*response=*/true);
      ++compared;
    }
    std::set<std::string> documented;
    for (const auto& parameter : operation["parameters"]) {
      const auto p = resolve(spec, parameter);
      if (p["in"].as<std::string>() == "query") documented.insert(p["name"].as<std::string>());
    }
    std::set<std::string> declared;
    if (options.query != nullptr) {
      for (const auto& field : options.query->fields) {
        declared.emplace(field.name);
        for (const auto& parameter : operation["parameters"]) {
          const auto p = resolve(spec, parameter);
          if (p["name"].as<std::string>() != field.name) continue;
          EXPECT_TRUE(types_of(p["schema"]).contains(std::string{field.type}))
              << where << " parameter " << field.name << " is " << field.type << " in the code";
        }
      }
      ++compared;
    }
    EXPECT_EQ(declared, documented) << where << ": query parameters differ between code and spec";
  }
  EXPECT_GT(compared, 5);
}

}  // namespace
}  // namespace pend::test
