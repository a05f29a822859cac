// The features the API has, in the order their routes are added: one line each in
// features.cpp. Adding a feature is copying a folder of src/domain/ and adding its line.
#pragma once

#include "domain/common/feature.hpp"

#include <string_view>
#include <vector>

namespace pend::app {

struct FeatureEntry {
  std::string_view name;
  domain::FeatureFactory make;
};

const std::vector<FeatureEntry>& feature_table();

}  // namespace pend::app
