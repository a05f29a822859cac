// What was built: version, git commit and build type, fixed at configure time.
#pragma once

#include <string_view>

namespace pend::util {

struct BuildInfo {
  std::string_view version;
  std::string_view git_commit;
  std::string_view build_type;
};

const BuildInfo& build_info();

}  // namespace pend::util
