#include "app/features.hpp"

#include "domain/admin/routes.hpp"
#include "domain/auth/routes.hpp"
#include "domain/console/routes.hpp"
#include "domain/docs/routes.hpp"
#include "domain/explorer/routes.hpp"
#include "domain/health/routes.hpp"
#include "domain/kyc/routes.hpp"
#include "domain/metrics/routes.hpp"
#include "domain/monitoring/routes.hpp"
#include "domain/sessions/routes.hpp"
#include "domain/system/routes.hpp"
#include "domain/users/routes.hpp"
#include "domain/wallet/routes.hpp"

namespace pend::app {

const std::vector<FeatureEntry>& feature_table() {
  static const std::vector<FeatureEntry> table = {
      {"health", &domain::health::make_feature},
      {"metrics", &domain::metrics::make_feature},
      {"system", &domain::system::make_feature},
      {"sessions", &domain::sessions::make_feature},
      {"monitoring", &domain::monitoring::make_feature},
      {"auth", &domain::auth::make_feature},
      {"users", &domain::users::make_feature},
      {"admin", &domain::admin::make_feature},
      {"console", &domain::console::make_feature},
      {"kyc", &domain::kyc::make_feature},
      {"docs", &domain::docs::make_feature},
      {"explorer", &domain::explorer::make_feature},
      {"wallet", &domain::wallet::make_feature},
  };
  return table;
}

}  // namespace pend::app
