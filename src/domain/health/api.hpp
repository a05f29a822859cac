// The health probes' types, named like their components in docs/api/openapi.yaml.
#pragma once

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>

namespace pend::domain::health::api {

struct Liveness {
  static constexpr std::string_view kSchema = "Liveness";
  std::string status = "ok";
  std::string version;
  std::int64_t uptime_seconds = 0;
};
BOOST_DESCRIBE_STRUCT(Liveness, (), (status, version, uptime_seconds))

}  // namespace pend::domain::health::api
