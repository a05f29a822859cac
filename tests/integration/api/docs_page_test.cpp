// GET /api/docs: the API reference page, its viewer and spec from this server, under a policy
// that lets only this origin's scripts run; rendered by a real browser (Debian's chromium,
// headless), which must find the API's title and a route in the page it draws.
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pend::test {
namespace {

std::string file_text(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool viewer_installed() { return std::filesystem::exists(test_settings().api_docs.viewer); }

TEST(DocsPageTest, ServesThePageTheViewerAndTheSpecFromThisServer) {
  if (!viewer_installed()) GTEST_SKIP() << "scripts/install-deps installs npm redoc";
  TestServer server;
  const auto page = request(server.port(), "GET", "/api/docs");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find(R"(<script src="/api/docs/redoc.standalone.js"></script>)"),
            std::string::npos);
  EXPECT_EQ(page.header("Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src "
            "'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  const auto spec = request(server.port(), "GET", "/api/docs/openapi.yaml");
  ASSERT_EQ(spec.status, 200u);
  EXPECT_EQ(spec.body, file_text(test_settings().api_docs.spec));
  EXPECT_EQ(spec.header("Cache-Control"), "public, max-age=3600");
  const auto viewer = request(server.port(), "GET", "/api/docs/redoc.standalone.js");
  ASSERT_EQ(viewer.status, 200u);
  EXPECT_EQ(viewer.body.size(), file_text(test_settings().api_docs.viewer).size());
  EXPECT_EQ(request(server.port(), "GET", "/api/docs/init.js").status, 200u);
  // The API keeps its own policy.
  EXPECT_EQ(request(server.port(), "GET", "/api/v1/health/live").header("Content-Security-Policy"),
            "default-src 'none'; frame-ancestors 'none'");
}

TEST(DocsPageTest, AServerWithoutTheViewerSaysSo) {
  auto settings = test_settings();
  settings.api_docs.viewer = "/nonexistent/redoc.standalone.js";
  TestServer server(settings);
  const auto page = request(server.port(), "GET", "/api/docs");
  EXPECT_EQ(page.status, 503u);
  EXPECT_EQ(page.json().at("error").at("code"), "docs_unavailable");
  EXPECT_NE(server.log_text().find("API_DOCS_UNAVAILABLE"), std::string::npos);
}

TEST(DocsPageTest, ABrowserRendersTheReference) {
  if (!viewer_installed()) GTEST_SKIP() << "scripts/install-deps installs npm redoc";
  if (!std::filesystem::exists("/usr/bin/chromium"))
    GTEST_SKIP() << "scripts/install-deps installs Debian's chromium";
  TestServer server;
  const auto profile =
      std::filesystem::temp_directory_path() / ("pend-chromium-" + std::to_string(server.port()));
  // --dump-dom prints the document once the page has loaded and the virtual time budget
  // (the page's own timers and fetches) has run out: what Redoc drew, not the bare page.
  const std::string dom =
      run_tool({"/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--log-level=3",
                "--virtual-time-budget=20000", "--user-data-dir=" + profile.string(), "--dump-dom",
                "http://127.0.0.1:" + std::to_string(server.port()) + "/api/docs"});
  std::filesystem::remove_all(profile);
  EXPECT_NE(dom.find("pend-server API"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("/api/v1/auth/otp"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("Backend of the Pend wallet app"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
