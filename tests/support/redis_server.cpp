#include "support/redis_server.hpp"

#include "support/test_server.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace pend::test {

namespace {

std::string services_script() { return std::string{PEND_SOURCE_DIR} + "/scripts/lib/services.sh"; }

std::string quote(const std::string& word) {
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

void services(const std::string& command) {
  const std::string line =
      "bash -c " + quote("source " + quote(services_script()) + " && " + command);
  if (std::system(line.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

}  // namespace

std::uint16_t free_port() {
  char path[] = "/tmp/pend-port-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  services(std::string{"free_port > "} + path);
  unsigned port = 0;
  FILE* in = std::fopen(path, "r");
  const bool ok = in != nullptr && std::fscanf(in, "%u", &port) == 1;
  if (in != nullptr) std::fclose(in);
  ::unlink(path);
  if (!ok || port == 0 || port > 65535) throw std::runtime_error("no free port");
  return static_cast<std::uint16_t>(port);
}

bool TempRedis::available() { return !env("PEND_TEST_REDIS_URL").empty(); }

TempRedis::TempRedis(std::vector<std::string> extra) : extra_(std::move(extra)) {
  if (!available()) {
    port_ = 1;  // a URL that parses and reaches nothing; the test skips in SetUp
    return;
  }
  std::string base = env("PEND_TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  std::string dir = base + "/pend-redis-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("cannot create " + dir);
  dir_ = dir;
  port_ = free_port();
  start();
}

TempRedis::~TempRedis() {
  if (dir_.empty()) return;
  try {
    stop();
  } catch (const std::exception&) {
    // already stopped
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string TempRedis::url(const std::string& userinfo, unsigned db) const {
  return "redis://" + (userinfo.empty() ? "" : userinfo + "@") +
         "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

void TempRedis::start() {
  std::string command =
      "start_redis " + quote(dir_) + " " + std::to_string(port_) + " --save '' --appendonly no";
  for (const auto& option : extra_) command += " " + quote(option);
  services(command);
}

void TempRedis::stop() { services("stop_redis " + quote(dir_)); }

void TempRedis::kill() {
  // Gone, or a zombie nobody has reaped yet: either way it no longer serves.
  services("pid=$(cat " + quote(dir_ + "/redis.pid") + ") && kill -KILL \"$pid\" && " +
           "for i in $(seq 200); do kill -0 \"$pid\" 2>/dev/null || break; " +
           "grep -q ') Z' /proc/$pid/stat 2>/dev/null && break; sleep 0.05; done; rm -f " +
           quote(dir_ + "/redis.pid"));
}

cache::RedisOptions quick_options(const std::string& url) {
  cache::RedisOptions options;
  auto endpoint = config::parse_redis_url(url);
  if (!endpoint) throw std::invalid_argument("not a Redis URL: " + url);
  options.endpoint = std::move(*endpoint);
  options.connect_timeout = std::chrono::milliseconds(500);
  options.command_timeout = std::chrono::milliseconds(500);
  options.reconnect_max = std::chrono::milliseconds(200);
  options.client_name = "pend-test";
  return options;
}

RedisOnLoop::RedisOnLoop(cache::RedisOptions options) : redis(std::move(options)) {
  redis.attach(loop);
}

RedisOnLoop::RedisOnLoop(const std::string& url) : RedisOnLoop(quick_options(url)) {}

RedisOnLoop::~RedisOnLoop() { redis.close(); }

}  // namespace pend::test
