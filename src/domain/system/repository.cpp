#include "domain/system/repository.hpp"

namespace pend::domain::system {

namespace {

constexpr db::Statement kPublicConfig{
    "system_config.public",
    "SELECT key, value, updated_at FROM system_config WHERE public ORDER BY key"};

}  // namespace

boost::asio::awaitable<api::PublicConfig> load_public_config(db::Database& database,
                                                             const db::Scope& scope) {
  const db::Result rows = co_await database.query(kPublicConfig, scope);
  api::PublicConfig config;
  for (const db::Row row : rows) {
    config.config[row.get<std::string>(0)] = row.json(1);
    const auto updated = row.get<db::Timestamp>(2);
    if (!config.updated_at || updated > *config.updated_at) config.updated_at = updated;
  }
  co_return config;
}

}  // namespace pend::domain::system
