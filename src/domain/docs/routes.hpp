// GET /api/docs: docs/api/openapi.yaml rendered in the browser by Redoc's standalone bundle
// (npm `redoc`, installed by scripts/install-deps). The page, the viewer and the spec are read
// from disk once at start-up (api_docs.viewer, api_docs.spec) and served from memory; nothing
// is fetched from elsewhere, and the page's Content-Security-Policy allows only this origin.
//
//   GET /api/docs                       the page
//   GET /api/docs/openapi.yaml          the spec
//   GET /api/docs/redoc.standalone.js   the viewer
//   GET /api/docs/init.js               starts the viewer on the spec
#pragma once

#include "domain/common/feature.hpp"

namespace pend::domain::docs {

// Null when api_docs.enabled is false.
std::unique_ptr<Feature> make_feature(const Deps& deps);

}  // namespace pend::domain::docs
