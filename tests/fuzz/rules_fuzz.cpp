// The one-line rule languages of the configuration: rate-limit rules, alert rules, metric
// thresholds, log sink specs and windows. Each parses or says why not.
#include "config/alert_rule.hpp"
#include "config/rate_limit_rule.hpp"
#include "config/rule_parsing.hpp"
#include "logging/sink.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text{reinterpret_cast<const char*>(data + 1), size - 1};
  std::string error;
  switch (data[0] % 5) {
    case 0:
      (void)pend::config::parse_rate_limit_rule(text, &error);
      break;
    case 1:
      (void)pend::config::parse_alert_rule(text, &error);
      break;
    case 2:
      (void)pend::config::parse_threshold(text, &error);
      break;
    case 3:
      (void)pend::logging::parse_sink_spec(text, &error);
      break;
    case 4:
      (void)pend::config::rules::parse_window(text, std::chrono::hours(24 * 7));
      break;
  }
  return 0;
}
