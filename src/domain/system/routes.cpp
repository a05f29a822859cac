#include "domain/system/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/system/repository.hpp"
#include "http/read.hpp"
#include "http/route_table.hpp"

namespace pend::domain::system {

namespace asio = boost::asio;

namespace {

class SystemRoutes final : public Feature {
 public:
  explicit SystemRoutes(db::Database& database) : database_(database) {}
  void add_routes(http::Router& router) override;

  asio::awaitable<void> public_config(http::RequestContext& ctx);

 private:
  db::Database& database_;
};

const http::RouteSpec<SystemRoutes> kRoutes[] = {
    // The same for everyone and changed rarely (admins invalidate it on change).
    {http::Method::get,
     "/api/v1/config",
     &SystemRoutes::public_config,
     {.cache = http::CacheTier::default_ttl, .response = &http::schema_of<api::PublicConfig>()}},
};

void SystemRoutes::add_routes(http::Router& router) {
  http::add_routes<SystemRoutes>(router, *this, kRoutes);
}

asio::awaitable<void> SystemRoutes::public_config(http::RequestContext& ctx) {
  http::respond(ctx, 200, co_await load_public_config(database_, db::request_scope(ctx)));
}

}  // namespace

std::unique_ptr<Feature> make_feature(const Deps& deps) {
  return std::make_unique<SystemRoutes>(deps.database);
}

}  // namespace pend::domain::system
