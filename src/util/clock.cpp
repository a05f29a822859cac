#include "util/clock.hpp"

namespace pend::util {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace pend::util
