#include "config/alert_rule.hpp"

#include "config/rule_parsing.hpp"
#include "util/enum_name.hpp"

#include <limits>
#include <sstream>
#include <vector>

namespace pend::config {

namespace {

// "warn=0.05" → 0.05 for key "warn".
std::optional<double> level_of(std::string_view word, std::string_view key) {
  if (!word.starts_with(key) || word.size() <= key.size() + 1 || word[key.size()] != '=') {
    return std::nullopt;
  }
  double value = 0;
  if (!rules::parse_number(word.substr(key.size() + 1), value) || value < 0) return std::nullopt;
  return value;
}

bool is_severity(std::string_view text) {
  return text == "low" || text == "medium" || text == "high" || text == "critical";
}

}  // namespace

int Threshold::severity_of(double value) const {
  if (below) return value <= critical ? 2 : value <= warning ? 1 : 0;
  return value >= critical ? 2 : value >= warning ? 1 : 0;
}

std::optional<Threshold> parse_threshold(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<Threshold> {
    if (error != nullptr) {
      *error = rules::error_message(text, why,
                                    "NAME warn=X crit=Y [below], as in "
                                    "'cpu_usage_percent warn=80 crit=95'");
    }
    return std::nullopt;
  };
  std::istringstream words{std::string{text}};
  std::string name, warn, crit, extra, more;
  if (!(words >> name >> warn >> crit)) return fail("too few words");
  words >> extra;
  if (words >> more) return fail("too many words");
  Threshold threshold;
  if (!rules::valid_name(name)) return fail("NAME must be lowercase letters, digits, - or _");
  threshold.metric = name;
  const auto warning = level_of(warn, "warn");
  const auto critical = level_of(crit, "crit");
  if (!warning || !critical) return fail("levels must be warn=NUMBER crit=NUMBER");
  threshold.warning = *warning;
  threshold.critical = *critical;
  if (!extra.empty() && extra != "below") return fail("the last word may only be 'below'");
  threshold.below = extra == "below";
  if (threshold.below ? threshold.critical > threshold.warning
                      : threshold.critical < threshold.warning) {
    return fail(threshold.below ? "with 'below', crit must not be above warn"
                                : "crit must not be below warn");
  }
  return threshold;
}

std::string_view to_string(AlertRule::Kind kind) { return util::enum_name(kind); }

std::optional<AlertRule> parse_alert_rule(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<AlertRule> {
    if (error != nullptr) {
      *error = rules::error_message(text, why,
                                    "NAME KIND TARGET WINDOW warn=X crit=Y [min=N], as in "
                                    "'api-errors error_rate * 5m warn=0.05 crit=0.2 min=20'");
    }
    return std::nullopt;
  };
  std::istringstream words{std::string{text}};
  std::string name, kind, target, window, warn, crit, min, more;
  if (!(words >> name >> kind >> target >> window >> warn >> crit)) return fail("too few words");
  words >> min;
  if (words >> more) return fail("too many words");

  AlertRule rule;
  if (!rules::valid_name(name)) return fail("NAME must be lowercase letters, digits, - or _");
  rule.name = name;
  const auto rule_kind = util::enum_from_name<AlertRule::Kind>(kind);
  if (!rule_kind) return fail("KIND must be error_rate, p95 or security_events");
  rule.kind = *rule_kind;
  if (rule.kind == AlertRule::Kind::security_events) {
    if (!is_severity(target)) return fail("TARGET of security_events must be a severity");
  } else if (target != "*" && !target.starts_with('/')) {
    return fail("TARGET must be * or a route template such as /api/v1/config");
  }
  rule.target = target;
  const auto parsed_window = rules::parse_window(window, std::chrono::hours(24));
  if (!parsed_window) return fail("WINDOW must be a positive number of s, m or h, at most a day");
  rule.window = *parsed_window;
  const auto warning = level_of(warn, "warn");
  const auto critical = level_of(crit, "crit");
  if (!warning || !critical) return fail("levels must be warn=NUMBER crit=NUMBER");
  if (*critical < *warning) return fail("crit must not be below warn");
  rule.warning = *warning;
  rule.critical = *critical;
  if (!min.empty()) {
    const auto minimum = level_of(min, "min");
    // The range check comes first: converting a double beyond uint32_t is undefined.
    if (!minimum || *minimum < 1 || *minimum > std::numeric_limits<std::uint32_t>::max() ||
        *minimum != static_cast<std::uint32_t>(*minimum)) {
      return fail("min must be min=N, a positive integer");
    }
    rule.min = static_cast<std::uint32_t>(*minimum);
  }
  return rule;
}

}  // namespace pend::config
