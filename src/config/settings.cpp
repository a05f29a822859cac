#include "config/settings.hpp"

namespace pend::config {

std::string_view to_string(Environment environment) {
  switch (environment) {
    case Environment::development:
      return "development";
    case Environment::staging:
      return "staging";
    case Environment::production:
      return "production";
    case Environment::test:
      return "test";
  }
  return "development";
}

}  // namespace pend::config
