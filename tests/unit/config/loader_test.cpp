#include "config/loader.hpp"
#include "config/dotenv.hpp"
#include "config/schema.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace pend::config {
namespace {

namespace fs = std::filesystem;

// A scratch directory with a config/ folder and an optional .env, plus a fake environment.
class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pend-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "config");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& relative, std::string_view text) {
    std::ofstream(dir_ / relative) << text;
  }

  LoadOptions options() {
    LoadOptions o;
    o.config_dir = dir_ / "config";
    o.dotenv_path = dir_ / ".env";
    o.getenv = [this](const std::string& name) -> std::optional<std::string> {
      const auto it = env_.find(name);
      return it == env_.end() ? std::nullopt : std::optional<std::string>{it->second};
    };
    for (const auto& [name, value] : env_) o.environment_names.push_back(name);
    return o;
  }

  std::vector<std::string> problems(const LoadOptions& o) {
    try {
      load(o);
    } catch (const ConfigError& error) {
      return error.problems();
    }
    return {};
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

bool mentions(const std::vector<std::string>& problems, std::string_view text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST_F(LoaderTest, DefaultsWithoutAnyFile) {
  const auto settings = load(options());
  EXPECT_EQ(settings.environment, Environment::development);
  EXPECT_EQ(settings.server.port, 8080);
}

TEST_F(LoaderTest, EachLayerOverridesTheOneBelow) {
  // header_limit: file only; max_connections: file < .env; threads: file < .env < env;
  // port: file < .env < env < flag.
  write("config/development.toml",
        "[server]\nport = 1001\nthreads = 1\nmax_connections = 11\nheader_limit_bytes = 4096\n");
  write(".env", "PORT=1002\nPEND_SERVER_THREADS=2\nPEND_SERVER_MAX_CONNECTIONS=12\n");
  env_ = {{"PORT", "1003"}, {"PEND_SERVER_THREADS", "3"}};
  auto o = options();
  o.overrides["server.port"] = "1004";
  const auto settings = load(o);
  EXPECT_EQ(settings.server.header_limit_bytes, 4096u);
  EXPECT_EQ(settings.server.max_connections, 12u);
  EXPECT_EQ(settings.server.threads, 3u);
  EXPECT_EQ(settings.server.port, 1004);
}

TEST_F(LoaderTest, EnvironmentSelectsTheFile) {
  write("config/staging.toml", "[log]\nlevel = \"warn\"\n");
  env_ = {{"PEND_ENV", "staging"}};
  const auto settings = load(options());
  EXPECT_EQ(settings.environment, Environment::staging);
  EXPECT_EQ(settings.log.level, "warn");
  env_ = {{"PEND_ENV", "prod"}};
  EXPECT_TRUE(mentions(problems(options()), "unknown environment 'prod'"));
}

TEST_F(LoaderTest, EveryProblemIsReportedAtOnce) {
  write("config/development.toml",
        "[server]\nprot = 80\nthreads = \"two\"\nmax_connections = 0\n"
        "trusted_proxies = [\"10.0.0.0/33\"]\n[cors]\nallowed_origins = "
        "[\"https://a.example/path\"]\n"
        "[nonsense]\nx = 1\n");
  env_ = {{"PEND_SERVER_MAX_CONECTIONS", "5"},
          {"LOG_LEVEL", "chatty"},
          {"PEND_SERVER_IDLE_TIMEOUT_MS", "soon"},
          {"REDIS_URL", "http://cache"}};
  const auto found = problems(options());
  EXPECT_TRUE(mentions(found, "unknown key 'server.prot' (did you mean 'server.port'?)"));
  EXPECT_TRUE(mentions(found, "server.threads: expected an integer"));
  EXPECT_TRUE(mentions(found, "server.max_connections must be between 1 and"));
  EXPECT_TRUE(mentions(found, "'10.0.0.0/33' is not an IP address or CIDR"));
  EXPECT_TRUE(mentions(found, "'https://a.example/path' is not * or scheme://host[:port]"));
  EXPECT_TRUE(mentions(found, "unknown key 'nonsense.x'"));
  EXPECT_TRUE(mentions(found,
                       "unknown variable PEND_SERVER_MAX_CONECTIONS (did you mean "
                       "'PEND_SERVER_MAX_CONNECTIONS'?)"));
  EXPECT_TRUE(mentions(found, "log.level must be error, warn, info, debug or trace"));
  EXPECT_TRUE(mentions(found, "PEND_SERVER_IDLE_TIMEOUT_MS: expected an integer"));
  EXPECT_TRUE(mentions(found, "redis.url must be a URL starting redis:// or rediss://"));
  EXPECT_EQ(found.size(), 10u);
}

TEST_F(LoaderTest, ScriptVariablesAreNotTypos) {
  env_ = {
      {"PEND_TEST_DATABASE_URL", "x"}, {"PEND_DEV_PG_PORT", "5433"}, {"PEND_MIGRATIONS_DIR", "m"}};
  EXPECT_TRUE(problems(options()).empty());
}

TEST_F(LoaderTest, MalformedTomlNamesTheLine) {
  write("config/development.toml", "[server]\nport = \n");
  const auto found = problems(options());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("development.toml:2:"), std::string::npos) << found[0];
}

TEST_F(LoaderTest, ProductionRequiresItsSecrets) {
  env_ = {{"PEND_ENV", "production"}};
  auto found = problems(options());
  EXPECT_TRUE(mentions(found, "production requires DATABASE_URL"));
  EXPECT_TRUE(mentions(found, "production requires REDIS_URL"));
  EXPECT_TRUE(mentions(found, "production requires PEND_METRICS_TOKEN"));

  env_ = {{"PEND_ENV", "production"},
          {"DATABASE_URL", "postgresql://pend@db/pend"},
          {"REDIS_URL", "redis://cache:6379"},
          {"PEND_METRICS_LOOPBACK_ONLY", "true"}};
  found = problems(options());
  EXPECT_EQ(found, std::vector<std::string>{
                       "environment variable DATABASE_URL: production requires a password in "
                       "DATABASE_URL"});

  env_["DATABASE_URL"] = "postgresql://pend:s3cret@db/pend";
  EXPECT_TRUE(problems(options()).empty());
}

TEST_F(LoaderTest, ProblemsNeverEchoASecret) {
  env_ = {{"DATABASE_URL", "mysql://pend:s3cret@db/pend"}};
  const auto found = problems(options());
  ASSERT_FALSE(found.empty());
  for (const auto& p : found) EXPECT_EQ(p.find("s3cret"), std::string::npos) << p;
}

TEST_F(LoaderTest, RedisUrlFromThePlansVariables) {
  env_ = {{"REDIS_HOST", "cache.internal"}, {"REDIS_PORT", "6380"}, {"REDIS_PASSWORD", "p@ss"}};
  EXPECT_EQ(load(options()).redis.url, "redis://:p%40ss@cache.internal:6380");
  env_["REDIS_URL"] = "redis://other:6379/1";
  EXPECT_EQ(load(options()).redis.url, "redis://other:6379/1") << "REDIS_URL wins";
}

TEST_F(LoaderTest, ListsFromEnvironmentAreCommaSeparated) {
  env_ = {{"PEND_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example:8443"}};
  EXPECT_EQ(load(options()).cors.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example:8443"}));
}

TEST_F(LoaderTest, DescribeMasksSecrets) {
  env_ = {{"DATABASE_URL", "postgresql://pend:s3cret@db:5432/pend"},
          {"REDIS_URL", "redis://:r3dis@cache:6379/0"},
          {"PEND_METRICS_TOKEN", "t0ken"}};
  const auto text = describe(load(options()));
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(text.find("r3dis"), std::string::npos);
  EXPECT_EQ(text.find("t0ken"), std::string::npos);
  EXPECT_NE(text.find("postgresql://pend:********@db:5432/pend"), std::string::npos) << text;
  EXPECT_NE(text.find("token = \"********\""), std::string::npos) << text;
  EXPECT_NE(text.find("[server]"), std::string::npos);
}

TEST(DotenvTest, ParsesTheUsualForms) {
  const auto result = parse_dotenv(
      "# comment\n\nA=1\nexport B = two words # trailing\nC=\"quoted # not a comment\\n\"\n"
      "D='single $literal'\nE=\n",
      ".env");
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.values.at("A"), "1");
  EXPECT_EQ(result.values.at("B"), "two words");
  EXPECT_EQ(result.values.at("C"), "quoted # not a comment\n");
  EXPECT_EQ(result.values.at("D"), "single $literal");
  EXPECT_EQ(result.values.at("E"), "");
}

TEST(DotenvTest, ReportsMalformedLinesWithTheirNumber) {
  const auto result = parse_dotenv("GOOD=1\nno equals sign\n1BAD=2\nQ=\"open\n", ".env");
  EXPECT_EQ(result.values.size(), 1u);
  ASSERT_EQ(result.problems.size(), 3u);
  EXPECT_EQ(result.problems[0].rfind(".env:2:", 0), 0u);
  EXPECT_EQ(result.problems[1].rfind(".env:3:", 0), 0u);
  EXPECT_EQ(result.problems[2].rfind(".env:4:", 0), 0u);
}

TEST(ShippedConfigTest, EnvExampleListsExactlyTheVariablesRead) {
  std::ifstream in(std::string{PEND_SOURCE_DIR} + "/.env.example");
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
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
      return std::nullopt;
    };
    EXPECT_NO_THROW(load(o)) << environment;
  }
}

}  // namespace
}  // namespace pend::config
