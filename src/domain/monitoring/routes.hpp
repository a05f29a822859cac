// The admin read API over the monitoring tables: per-route figures from api_metrics and the
// latest system_metrics per instance. They answer an admin whose role allows metrics.read,
// a client on this host, or "Authorization: Bearer <ops.token>"; 403 otherwise.
//
//   GET /api/v1/admin/metrics/api?window=15m&limit=50&cursor=...
//   GET /api/v1/admin/metrics/system?instance=api-1&type=cpu&window=15m&limit=200&cursor=...
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::monitoring {

std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::monitoring
