// The system API's types, named like their components in docs/api/openapi.yaml.
#pragma once

#include "util/time.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/object.hpp>

#include <optional>

namespace pend::domain::system::api {

struct PublicConfig {
  static constexpr std::string_view kSchema = "PublicConfig";
  boost::json::object config;                    // key -> its JSON value
  std::optional<util::Microseconds> updated_at;  // the newest change among them
};
BOOST_DESCRIBE_STRUCT(PublicConfig, (), (config, updated_at))

}  // namespace pend::domain::system::api
