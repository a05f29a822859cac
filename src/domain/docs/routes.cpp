#include "domain/docs/routes.hpp"

#include "http/api_error.hpp"
#include "http/request_context.hpp"
#include "http/route_table.hpp"
#include "logging/logger.hpp"

#include <fstream>
#include <sstream>

namespace pend::domain::docs {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kPage = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pend-server API</title>
</head>
<body>
<noscript>The API reference needs JavaScript; the spec itself is at /api/docs/openapi.yaml.</noscript>
<div id="redoc"></div>
<script src="/api/docs/redoc.standalone.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
)";

// A script of its own: the page's policy allows no inline script.
constexpr std::string_view kInit =
    "Redoc.init('/api/docs/openapi.yaml', {hideDownloadButton: false, expandResponses: '200,201'},"
    " document.getElementById('redoc'));\n";

// The file's bytes, or nothing (logged) when it cannot be read.
std::string read_file(const std::string& path, const char* what) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    logging::warn("GENERAL", "API_DOCS_UNAVAILABLE",
                  "GET /api/docs answers 503: a file of the docs page is missing",
                  {{"file", what}, {"path", path}});
    return {};
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class DocsRoutes final : public Feature {
 public:
  DocsRoutes(std::string spec, std::string viewer)
      : spec_(std::move(spec)), viewer_(std::move(viewer)) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> page(http::RequestContext& ctx);
  asio::awaitable<void> spec(http::RequestContext& ctx);
  asio::awaitable<void> viewer(http::RequestContext& ctx);
  asio::awaitable<void> init(http::RequestContext& ctx);

 private:
  void require_files() const;
  std::string spec_, viewer_;
};

const http::RouteSpec<DocsRoutes> kRoutes[] = {
    {http::Method::get, "/api/docs", &DocsRoutes::page, {.group = "docs"}},
    {http::Method::get, "/api/docs/openapi.yaml", &DocsRoutes::spec, {.group = "docs"}},
    {http::Method::get, "/api/docs/redoc.standalone.js", &DocsRoutes::viewer, {.group = "docs"}},
    {http::Method::get, "/api/docs/init.js", &DocsRoutes::init, {.group = "docs"}},
};

void DocsRoutes::add_routes(http::Router& router) {
  http::add_routes<DocsRoutes>(router, *this, kRoutes);
}

void DocsRoutes::require_files() const {
  if (spec_.empty() || viewer_.empty())
    throw http::ApiError(503, "docs_unavailable",
                         "the API docs are not installed on this server (api_docs.viewer, "
                         "api_docs.spec)");
}

void cache_for_an_hour(http::RequestContext& ctx) {
  ctx.response.set(boost::beast::http::field::cache_control, "public, max-age=3600");
}

asio::awaitable<void> DocsRoutes::page(http::RequestContext& ctx) {
  require_files();
  ctx.page = true;  // the page's Content-Security-Policy (middleware/security_headers.hpp)
  ctx.text(200, std::string{kPage}, "text/html; charset=utf-8");
  co_return;
}

asio::awaitable<void> DocsRoutes::spec(http::RequestContext& ctx) {
  require_files();
  cache_for_an_hour(ctx);
  ctx.text(200, spec_, "application/yaml; charset=utf-8");
  co_return;
}

asio::awaitable<void> DocsRoutes::viewer(http::RequestContext& ctx) {
  require_files();
  cache_for_an_hour(ctx);
  ctx.text(200, viewer_, "text/javascript; charset=utf-8");
  co_return;
}

asio::awaitable<void> DocsRoutes::init(http::RequestContext& ctx) {
  require_files();
  cache_for_an_hour(ctx);
  ctx.text(200, std::string{kInit}, "text/javascript; charset=utf-8");
  co_return;
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  const auto& settings = deps.settings.api_docs;
  if (!settings.enabled) return nullptr;
  return std::make_unique<DocsRoutes>(read_file(settings.spec, "api_docs.spec"),
                                      read_file(settings.viewer, "api_docs.viewer"));
}

}  // namespace pend::domain::docs
