#include "config/settings.hpp"

#include "util/enum_name.hpp"

namespace pend::config {

std::string_view to_string(Environment environment) { return util::enum_name(environment); }

}  // namespace pend::config
