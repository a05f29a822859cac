#include "domain/system/routes.hpp"

#include "db/request_scope.hpp"
#include "domain/system/repository.hpp"
#include "http/request_context.hpp"

namespace pend::domain::system {

void add_routes(http::Router& router, db::Database& database) {
  router.add(
      http::Method::get, "/api/v1/config",
      [&database](http::RequestContext& ctx) -> boost::asio::awaitable<void> {
        PublicConfig config = co_await load_public_config(database, db::request_scope(ctx));
        boost::json::object body{{"config", std::move(config.values)}};
        body["updated_at"] = config.updated_at
                                 ? boost::json::value(db::format_timestamp(*config.updated_at))
                                 : boost::json::value(nullptr);
        ctx.json(200, body);
      },
      // The same for everyone and changed rarely (admins will invalidate on change).
      http::RouteOptions{.cache = http::CacheTier::default_ttl});
}

}  // namespace pend::domain::system
