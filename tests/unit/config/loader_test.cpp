#include "config/loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace pend::config {
namespace {

namespace fs = std::filesystem;

// A scratch directory with a config/ folder and an optional .env, plus a fake environment.
class ConfigLoaderTest : public ::testing::Test {
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

  // What production needs besides its database, Redis and metrics settings: the auth
  // feature's pepper and a real SMS provider with its allow-list, the admins' TOTP key.
  void with_production_auth() {
    env_["PEND_ADMIN_TOTP_KEY"] = std::string(64, 'c');
    env_["PEND_ADMIN_AUDIT_SIGNING_KEY"] = std::string(64, 'd');
    env_["PEND_STORAGE_KEYS"] = "k1:" + std::string(64, 'e');
    env_["PEND_AUTH_PHONE_PEPPER"] = "production-pepper-0123456789abcdefghij";
    env_["PEND_AUTH_SMS_PROVIDER"] = "http";
    env_["PEND_AUTH_SMS_URL"] = "https://AC1:token@sms.example/Messages.json";
    env_["PEND_AUTH_SMS_FROM"] = "+15005550006";
    env_["PEND_AUTH_SMS_COUNTRIES"] = "GB,US";
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

bool mentions(const std::vector<std::string>& problems, std::string_view text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST_F(ConfigLoaderTest, DefaultsWithoutAnyFile) {
  const auto settings = load(options());
  EXPECT_EQ(settings.environment, Environment::development);
  EXPECT_EQ(settings.server.port, 8080);
}

TEST_F(ConfigLoaderTest, EachLayerOverridesTheOneBelow) {
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

TEST_F(ConfigLoaderTest, EnvironmentSelectsTheFile) {
  write("config/staging.toml", "[log]\nlevel = \"warn\"\n");
  env_ = {{"PEND_ENV", "staging"}};
  const auto settings = load(options());
  EXPECT_EQ(settings.environment, Environment::staging);
  EXPECT_EQ(settings.log.level, "warn");
  env_ = {{"PEND_ENV", "prod"}};
  EXPECT_TRUE(mentions(problems(options()), "unknown environment 'prod'"));
}

TEST_F(ConfigLoaderTest, EveryProblemIsReportedAtOnce) {
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
  EXPECT_TRUE(mentions(found, "server.threads: expected an unsigned integer"));
  EXPECT_TRUE(mentions(found, "server.max_connections must be between 1 and"));
  EXPECT_TRUE(mentions(found, "'10.0.0.0/33' is not an IP address or CIDR"));
  EXPECT_TRUE(mentions(found, "'https://a.example/path' is not * or scheme://host[:port]"));
  EXPECT_TRUE(mentions(found, "unknown key 'nonsense.x'"));
  EXPECT_TRUE(mentions(found,
                       "unknown variable PEND_SERVER_MAX_CONECTIONS (did you mean "
                       "'PEND_SERVER_MAX_CONNECTIONS'?)"));
  EXPECT_TRUE(mentions(found, "log.level must be error, warn, info, debug or trace"));
  EXPECT_TRUE(mentions(found, "PEND_SERVER_IDLE_TIMEOUT_MS: expected an unsigned integer"));
  EXPECT_TRUE(mentions(found, "redis.url must be redis://[[user]:password@]host[:port][/db]"));
  EXPECT_EQ(found.size(), 10u);
}

TEST_F(ConfigLoaderTest, SystematicNamesOfConventionalVariablesPointAtThem) {
  env_ = {{"PEND_SERVER_PORT", "9000"}, {"PEND_DATABASE_URL", "postgresql://db/pend"}};
  const auto found = problems(options());
  EXPECT_TRUE(mentions(found, "unknown variable PEND_SERVER_PORT (did you mean 'PORT'?)"));
  EXPECT_TRUE(mentions(found, "unknown variable PEND_DATABASE_URL (did you mean 'DATABASE_URL'?)"));
  EXPECT_EQ(found.size(), 2u);
}

TEST_F(ConfigLoaderTest, ScriptVariablesAreNotTypos) {
  env_ = {
      {"PEND_TEST_DATABASE_URL", "x"}, {"PEND_DEV_PG_PORT", "5433"}, {"PEND_MIGRATIONS_DIR", "m"}};
  EXPECT_TRUE(problems(options()).empty());
}

TEST_F(ConfigLoaderTest, MalformedTomlNamesTheLine) {
  write("config/development.toml", "[server]\nport = \n");
  const auto found = problems(options());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("development.toml:2:"), std::string::npos) << found[0];
}

TEST_F(ConfigLoaderTest, ProductionRequiresItsSecrets) {
  env_ = {{"PEND_ENV", "production"}};
  auto found = problems(options());
  EXPECT_TRUE(mentions(found, "production requires DATABASE_URL"));
  EXPECT_TRUE(mentions(found, "production requires REDIS_URL"));
  EXPECT_TRUE(mentions(found, "production requires PEND_METRICS_TOKEN"));

  env_ = {{"PEND_ENV", "production"},
          {"DATABASE_URL", "postgresql://pend@db/pend"},
          {"REDIS_URL", "redis://cache:6379"},
          {"PEND_METRICS_LOOPBACK_ONLY", "true"}};
  with_production_auth();
  found = problems(options());
  EXPECT_EQ(found, std::vector<std::string>{
                       "environment variable DATABASE_URL: production requires a password in "
                       "DATABASE_URL"});

  env_["DATABASE_URL"] = "postgresql://pend:s3cret@db/pend";
  EXPECT_TRUE(problems(options()).empty());
  env_["PEND_ADMIN_TOTP_KEY"] = "";
  EXPECT_EQ(problems(options()),
            std::vector<std::string>{"environment variable PEND_ADMIN_TOTP_KEY: production "
                                     "requires admin.totp_key, 64 hex digits (32 random bytes)"});
  env_["PEND_ADMIN_TOTP_KEY"] = std::string(63, 'c') + "g";
  EXPECT_EQ(problems(options()).size(), 2u) << "not hex: refused in any environment, too";
  env_["PEND_ADMIN_TOTP_KEY"] = std::string(64, 'c');
  env_["DATABASE_URL"] = "postgresql://pend@db/pend?sslmode=require&password=s3cret";
  EXPECT_TRUE(problems(options()).empty()) << "libpq also takes the password as a parameter";
}

TEST_F(ConfigLoaderTest, ProblemsNeverEchoASecret) {
  env_ = {{"DATABASE_URL", "mysql://pend:s3cret@db/pend"}};
  const auto found = problems(options());
  ASSERT_FALSE(found.empty());
  for (const auto& p : found) EXPECT_EQ(p.find("s3cret"), std::string::npos) << p;
}

TEST_F(ConfigLoaderTest, RedisUrlFromThePlansVariables) {
  env_ = {{"REDIS_HOST", "cache.internal"}, {"REDIS_PORT", "6380"}, {"REDIS_PASSWORD", "p@ss"}};
  EXPECT_EQ(load(options()).redis.url, "redis://:p%40ss@cache.internal:6380");
  env_["REDIS_URL"] = "redis://other:6379/1";
  EXPECT_EQ(load(options()).redis.url, "redis://other:6379/1") << "REDIS_URL wins";
}

TEST_F(ConfigLoaderTest, ListsFromEnvironmentAreCommaSeparated) {
  env_ = {{"PEND_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example:8443"}};
  EXPECT_EQ(load(options()).cors.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example:8443"}));
}

TEST_F(ConfigLoaderTest, DescribeMasksSecrets) {
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

TEST_F(ConfigLoaderTest, WrongTomlTypesNameTheLine) {
  write("config/development.toml",
        "[server]\nhost = 1\nhsts_always = \"yes\"\nport = 80.5\ntrusted_proxies = "
        "\"10.0.0.0/8\"\n[cors]\nallowed_origins = [\"https://a.example\", 3]\n");
  const auto found = problems(options());
  EXPECT_TRUE(mentions(found, "development.toml:2: server.host: expected a string"));
  EXPECT_TRUE(mentions(found, "development.toml:3: server.hsts_always: expected true or false"));
  EXPECT_TRUE(mentions(found, "development.toml:4: server.port: expected an unsigned integer"));
  EXPECT_TRUE(
      mentions(found, "development.toml:5: server.trusted_proxies: expected an array of strings"));
  EXPECT_TRUE(
      mentions(found, "development.toml:7: cors.allowed_origins: expected an array of strings"));
  EXPECT_EQ(found.size(), 5u);
}

TEST_F(ConfigLoaderTest, AKeyOutsideASectionIsAProblem) {
  write("config/development.toml", "port = 8080\n");
  EXPECT_TRUE(mentions(problems(options()), "'port' must be a section ([port])"));
}

TEST_F(ConfigLoaderTest, AConfigPathThatIsNotAFileIsAProblem) {
  fs::create_directories(dir_ / "config" / "development.toml");
  EXPECT_TRUE(mentions(problems(options()), "development.toml: not a regular file"));
}

TEST_F(ConfigLoaderTest, BadEnvironmentValuesOfEachKind) {
  env_ = {{"PEND_SERVER_HSTS_ALWAYS", "maybe"},
          {"PEND_SERVER_MAX_CONNECTIONS", "abc"},
          {"PEND_SERVER_THREADS", "-1"},
          {"PORT", "65536"},
          {"PEND_SERVER_BODY_TIMEOUT_MS", "0"},
          {"PEND_SERVER_TRUSTED_PROXIES", "10.0.0.0/8, 10.0.0.300"},
          {"PEND_SERVER_HOST", "localhost"},
          {"DATABASE_URL", "https://db/pend"}};
  const auto found = problems(options());
  EXPECT_TRUE(mentions(found,
                       "environment variable PEND_SERVER_HSTS_ALWAYS: expected true or false, got "
                       "'maybe'"));
  EXPECT_TRUE(mentions(found,
                       "environment variable PEND_SERVER_MAX_CONNECTIONS: expected an unsigned "
                       "integer, got 'abc'"));
  EXPECT_TRUE(mentions(found, "server.threads must be between 0 and 256, got -1"));
  EXPECT_TRUE(mentions(found, "server.port must be between 0 and 65535, got 65536"));
  EXPECT_TRUE(mentions(found, "server.body_timeout_ms must be between 1 and"));
  EXPECT_TRUE(mentions(found,
                       "environment variable PEND_SERVER_TRUSTED_PROXIES: '10.0.0.300' is not an "
                       "IP address or CIDR network"));
  EXPECT_TRUE(mentions(found, "server.host must be an IP address, got 'localhost'"));
  EXPECT_TRUE(mentions(found,
                       "environment variable DATABASE_URL: database.url must be a URL starting "
                       "postgres:// or postgresql://"));
  EXPECT_EQ(found.size(), 8u);
}

TEST_F(ConfigLoaderTest, DotenvProblemsAndTyposAreReported) {
  write(".env", "PORT=9000\nthis line is wrong\nPEND_SEVRER_THREADS=2\n");
  const auto found = problems(options());
  EXPECT_TRUE(mentions(found, ".env:2: expected KEY=VALUE"));
  EXPECT_TRUE(mentions(found, ".env: unknown variable PEND_SEVRER_THREADS"));
  EXPECT_EQ(found.size(), 2u);
}

TEST_F(ConfigLoaderTest, DotenvCanSelectTheEnvironment) {
  write("config/test.toml", "[log]\nlevel = \"error\"\n");
  write(".env", "PEND_ENV=test\n");
  const auto settings = load(options());
  EXPECT_EQ(settings.environment, Environment::test);
  EXPECT_EQ(settings.log.level, "error");
}

TEST_F(ConfigLoaderTest, CommandLineProblems) {
  auto o = options();
  o.overrides["server.prot"] = "1";
  o.overrides["server.threads"] = "many";
  const auto found = problems(o);
  EXPECT_TRUE(
      mentions(found, "command line: unknown key 'server.prot' (did you mean 'server.port'?)"));
  EXPECT_TRUE(mentions(found, "command line server.threads: expected an unsigned integer"));
  EXPECT_EQ(found.size(), 2u);
}

TEST_F(ConfigLoaderTest, ProductionRejectsAnEmptyPasswordAndAnyOriginWithCredentials) {
  env_ = {{"PEND_ENV", "production"},          {"DATABASE_URL", "postgresql://pend:@db/pend"},
          {"REDIS_URL", "redis://cache:6379"}, {"PEND_METRICS_TOKEN", "t"},
          {"PEND_CORS_ALLOWED_ORIGINS", "*"},  {"PEND_CORS_ALLOW_CREDENTIALS", "true"}};
  with_production_auth();
  const auto found = problems(options());
  EXPECT_TRUE(mentions(found, "production requires a password in DATABASE_URL"));
  EXPECT_TRUE(
      mentions(found, "production forbids cors.allowed_origins '*' with allow_credentials"));
  EXPECT_EQ(found.size(), 2u);
}

TEST_F(ConfigLoaderTest, ProductionAcceptsSecretsFromDotenv) {
  write(".env",
        "DATABASE_URL=postgresql://pend:pw@db/pend\nREDIS_HOST=cache\n"
        "PEND_METRICS_LOOPBACK_ONLY=true\n");
  env_ = {{"PEND_ENV", "production"}};
  with_production_auth();
  const auto settings = load(options());
  EXPECT_EQ(settings.redis.url, "redis://cache:6379");
}

TEST_F(ConfigLoaderTest, RedisPartsAreValidated) {
  env_ = {{"REDIS_PORT", "63a"}};
  EXPECT_EQ(problems(options()),
            std::vector<std::string>{
                "environment variable REDIS_PORT: expected a port from 1 to 65535, got '63a'"});
  env_ = {{"REDIS_HOST", "::1"}};
  EXPECT_EQ(load(options()).redis.url, "redis://[::1]:6379");
  env_ = {{"REDIS_HOST", "[::1]"}, {"REDIS_PORT", "7000"}};
  EXPECT_EQ(load(options()).redis.url, "redis://[::1]:7000");
}

TEST_F(ConfigLoaderTest, DescribeOutputLoadsBackAsTheSameConfiguration) {
  env_ = {{"SERVER_INSTANCE", "eu-1 \"blue\"\ttab\\slash"},
          {"PEND_CORS_ALLOWED_ORIGINS", "https://a.example,http://localhost:3000"},
          {"PEND_SERVER_THREADS", "3"},
          {"PEND_LOG_ACCESS_LOG", "false"}};
  const auto first = describe(load(options()));
  write("config/staging.toml", first);
  env_ = {{"PEND_ENV", "staging"}};
  auto second = describe(load(options()));
  second.replace(second.find("(staging)"), 9, "(development)");
  EXPECT_EQ(first, second);
}

TEST(ConfigDescribeTest, MasksEverySecret) {
  Settings settings;
  settings.database.url = "postgresql://pend:pg-secret@db/pend";
  settings.redis.url = "rediss://user:redis-secret@cache:6380/1";
  settings.metrics.token = "metrics-secret";
  settings.seed.admin_password = "admin-secret";
  settings.storage.keys = {"k1:" + std::string(64, 'a')};  // secret lists too
  settings.chain.rpc_urls = {"https://mainnet.example/v3/node-key-secret", "http://127.0.0.1:8545"};
  const auto text = describe(settings);
  for (const auto* secret : {"pg-secret", "redis-secret", "metrics-secret", "admin-secret",
                             "aaaaaaaaaaaaaaaa", "node-key-secret"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(text.find("rediss://user:********@cache:6380/1"), std::string::npos) << text;
  EXPECT_NE(text.find("admin_password = \"********\""), std::string::npos) << text;
  EXPECT_NE(text.find("rpc_urls = [\"https://mainnet.example/********\", "
                      "\"http://127.0.0.1:8545\"]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("keys = [\"********\"]"), std::string::npos) << text;

  settings.database.url = "not a url: pg-secret@";  // unparseable: masked whole
  EXPECT_EQ(describe(settings).find("pg-secret"), std::string::npos);
  EXPECT_EQ(mask_url_password("redis://cache:6379"), "redis://cache:6379");
  EXPECT_EQ(mask_url_password("postgresql://pend@db/pend?sslmode=require&password=pg-secret"),
            "postgresql://pend@db/pend?sslmode=require&password=********");
}

}  // namespace
}  // namespace pend::config
