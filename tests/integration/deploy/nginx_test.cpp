// deploy/nginx in front of two pend-server instances on loopback, as operators run it: the
// proxying of deploy/nginx/pend-server-locations.conf (the TLS server around it is checked
// by scripts/check-deploy with nginx -t). Requests are balanced over the instances with the
// client's address passed on, an instance that is down is routed around, and bodies over the
// API's limit stop at nginx.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pend::test {
namespace {

namespace fs = std::filesystem;

class Nginx {
 public:
  Nginx(const fs::path& dir, std::uint16_t port, const std::vector<std::uint16_t>& upstreams) {
    fs::create_directories(dir / "logs");
    std::ofstream conf(dir / "nginx.conf");
    conf << "pid " << (dir / "nginx.pid").string() << ";\n"
         << "error_log " << (dir / "logs/error.log").string() << ";\n"
         << "daemon off;\nevents {}\nhttp {\n  access_log off;\n  upstream pend_api {\n";
    for (const auto upstream : upstreams) conf << "    server 127.0.0.1:" << upstream << ";\n";
    conf << "    keepalive 16;\n  }\n  server {\n    listen 127.0.0.1:" << port << ";\n"
         << "    include " << PEND_SOURCE_DIR << "/deploy/nginx/pend-server-locations.conf;\n"
         << "  }\n}\n";
    conf.close();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();
      const std::string prefix = dir.string() + "/", file = (dir / "nginx.conf").string();
      ::execl("/usr/sbin/nginx", "nginx", "-p", prefix.c_str(), "-c", file.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~Nginx() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGQUIT);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = -1;
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(NginxTest, BalancesPassesTheClientOnAndStopsLargeBodies) {
  if (!fs::exists("/usr/sbin/nginx")) GTEST_SKIP() << "scripts/install-deps installs nginx";
  TestServer a, b;
  const auto dir = fs::temp_directory_path() / ("pend-nginx-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto port = free_port();
  // A third instance that is down (nothing listens on its port): routed around.
  Nginx nginx(dir, port, {a.port(), b.port(), free_port()});
  ASSERT_TRUE(wait_for_port(port));

  for (int i = 0; i < 20; ++i) {
    const auto r = request(
        port, "GET", "/api/v1/health/live",
        {{"X-Forwarded-For", "198.51.100.7"}, {"X-Request-Id", "via-nginx-" + std::to_string(i)}});
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.header("X-Request-Id"), "via-nginx-" + std::to_string(i));  // passed both ways
  }
  // Round robin over the two.
  const auto a_log = a.log_text(), b_log = b.log_text();
  EXPECT_EQ(
      count(a_log, "\"request_id\":\"via-nginx-") + count(b_log, "\"request_id\":\"via-nginx-"),
      20u);
  EXPECT_GE(count(a_log, "\"request_id\":\"via-nginx-"), 5u);
  EXPECT_GE(count(b_log, "\"request_id\":\"via-nginx-"), 5u);
  // nginx appends the peer it saw; the servers trust loopback (tests' trusted_proxies), so
  // they read the client from X-Forwarded-For, the way they read a real client's behind it.
  EXPECT_NE(a_log.find("\"ip_address\":\"198.51.100.7\""), std::string::npos) << a_log;

  // server.body_limit_bytes (1 MiB): a larger body stops at nginx, with JSON.
  const std::string big(2 * 1024 * 1024, 'x');
  const auto refused =
      request(port, "POST", "/api/v1/auth/otp", {{"Content-Type", "application/json"}}, big);
  EXPECT_EQ(refused.status, 413u);
  EXPECT_NE(refused.body.find("\"code\""), std::string::npos) << refused.body;
  EXPECT_EQ(count(a.log_text() + b.log_text(), "/api/v1/auth/otp"), 0u);  // never reached them

  fs::remove_all(dir);
}

}  // namespace
}  // namespace pend::test
