// Feature: one folder of src/domain/, as the composition root sees it. A feature is built
// from Deps (owning its services and repositories), adds its routes, and may add metrics
// collectors and readiness checks. docs/architecture/features.md shows the shape.
//
//   // src/domain/sessions/routes.hpp
//   std::unique_ptr<Feature> make_feature(const Deps& deps);
//
//   // src/app/features.cpp: one line per feature
//   {"sessions", &domain::sessions::make_feature},
#pragma once

#include "domain/common/deps.hpp"
#include "http/router.hpp"
#include "metrics/prometheus_writer.hpp"

#include <memory>

namespace pend::domain {

class Feature {
 public:
  virtual ~Feature() = default;
  virtual void add_routes(http::Router& router) = 0;
  // For /metrics; most features have nothing of their own to show.
  virtual void collect(metrics::PrometheusWriter&) const {}
  // Before the server drains: end the feature's own threads (the explorer's subscriber).
  virtual void stop() {}
};

using FeatureFactory = std::unique_ptr<Feature> (*)(const Deps& deps);

}  // namespace pend::domain
