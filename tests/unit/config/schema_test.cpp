#include "config/schema.hpp"
#include "config/loader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace pend::config {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string{PEND_SOURCE_DIR} + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigSchemaTest, PathsAndVariablesAreUnique) {
  std::set<std::string_view> paths;
  std::set<std::string_view> variables;
  for (const auto& key : keys()) {
    EXPECT_TRUE(paths.insert(key.path).second) << key.path;
    EXPECT_TRUE(variables.insert(key.env).second) << key.env;
    EXPECT_EQ(find_key(key.path), &key);
    EXPECT_FALSE(key.help.empty()) << key.path;
  }
}

TEST(ConfigSchemaTest, DefaultsAreWithinTheirLimits) {
  const Settings defaults;
  for (const auto& key : keys()) {
    if (key.kind != Kind::integer) continue;
    const auto value = std::get<std::int64_t>(key.get(defaults));
    EXPECT_GE(value, key.min) << key.path;
    EXPECT_LE(value, key.max) << key.path;
  }
}

TEST(ConfigSchemaTest, EveryKeyRoundTripsThroughSetAndGet) {
  for (const auto& key : keys()) {
    Settings settings;
    std::string error;
    const std::string text = key.kind == Kind::boolean       ? "true"
                             : key.kind == Kind::integer     ? std::to_string(key.max)
                             : key.kind == Kind::string_list ? "a, b"
                                                             : "x";
    const auto value = parse_value(key, text, error);
    ASSERT_TRUE(value) << key.path << ": " << error;
    key.set(settings, *value);
    EXPECT_EQ(key.get(settings), *value) << key.path;
  }
}

TEST(ShippedConfigTest, EnvExampleListsExactlyTheVariablesRead) {
  const std::string content = read_source_file(".env.example");
  std::set<std::string> listed;
  const std::regex variable(R"(^#? ?([A-Z][A-Z0-9_]*)=)", std::regex::multiline);
  for (std::sregex_iterator it(content.begin(), content.end(), variable), end; it != end; ++it) {
    listed.insert((*it)[1]);
  }
  std::set<std::string> read = {"PEND_ENV",   "PEND_CONFIG_DIR", "PEND_MIGRATIONS_DIR",
                                "REDIS_HOST", "REDIS_PORT",      "REDIS_PASSWORD"};
  for (const auto& key : keys()) read.insert(std::string{key.env});
  EXPECT_EQ(listed, read);
}

TEST(ShippedConfigTest, DocumentationTableListsEveryKey) {
  const std::string content = read_source_file("docs/development/configuration.md");
  std::set<std::pair<std::string, std::string>> documented;
  const std::regex row(R"(^\| ([a-z_]+\.[a-z_]+) \| ([A-Z][A-Z0-9_]*) \|)", std::regex::multiline);
  for (std::sregex_iterator it(content.begin(), content.end(), row), end; it != end; ++it) {
    documented.emplace((*it)[1], (*it)[2]);
  }
  std::set<std::pair<std::string, std::string>> table;
  for (const auto& key : keys()) table.emplace(key.path, key.env);
  EXPECT_EQ(documented, table);
}

TEST(ShippedConfigTest, EveryEnvironmentFileLoads) {
  for (const auto* environment : {"development", "staging", "production", "test"}) {
    LoadOptions o;
    o.environment = environment;
    o.config_dir = std::string{PEND_SOURCE_DIR} + "/config";
    o.dotenv_path.reset();
    o.getenv = [](const std::string& name) -> std::optional<std::string> {
      if (name == "DATABASE_URL") return "postgresql://pend:secret@db:5432/pend";
      if (name == "REDIS_URL") return "redis://:secret@cache:6379/0";
      if (name == "PEND_METRICS_TOKEN") return "token";
      if (name == "PEND_AUTH_PHONE_PEPPER") return "production-pepper-0123456789abcdefghij";
      if (name == "PEND_AUTH_SMS_PROVIDER") return "http";
      if (name == "PEND_AUTH_SMS_URL") return "https://AC1:token@sms.example/Messages.json";
      if (name == "PEND_AUTH_SMS_FROM") return "+15005550006";
      if (name == "PEND_AUTH_SMS_COUNTRIES") return "GB,US";
      if (name == "PEND_ADMIN_TOTP_KEY") return std::string(64, 'a');
      if (name == "PEND_ADMIN_AUDIT_SIGNING_KEY") return std::string(64, 'b');
      if (name == "PEND_STORAGE_KEYS") return "k1:" + std::string(64, 'c');
      return std::nullopt;
    };
    try {
      const auto settings = load(o);
      EXPECT_EQ(to_string(settings.environment), environment);
    } catch (const ConfigError& error) {
      ADD_FAILURE() << environment << ":\n" << error.what();
    }
  }
}

TEST(ShippedConfigTest, ProductionFileAloneIsRefused) {
  LoadOptions o;
  o.environment = "production";
  o.config_dir = std::string{PEND_SOURCE_DIR} + "/config";
  o.dotenv_path.reset();
  o.getenv = [](const std::string&) { return std::optional<std::string>{}; };
  try {
    load(o);
    ADD_FAILURE() << "production loaded without its secrets";
  } catch (const ConfigError& error) {
    // DATABASE_URL, REDIS_URL and PEND_METRICS_TOKEN; the phone pepper, an SMS provider and
    // its country allow-list; the admins' TOTP key, the audit chain's signing key and the
    // KYC documents' storage keys.
    EXPECT_EQ(error.problems().size(), 9u) << error.what();
  }
}

}  // namespace
}  // namespace pend::config
