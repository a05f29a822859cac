#include "config/rate_limit_rule.hpp"

#include "config/rule_parsing.hpp"
#include "util/enum_name.hpp"

#include <algorithm>
#include <sstream>

namespace pend::config {

bool RateLimitRule::applies_to(std::string_view group) const {
  return groups.empty() || std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::string_view to_string(RateLimitRule::Key key) { return util::enum_name(key); }

std::optional<RateLimitRule> parse_rate_limit_rule(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<RateLimitRule> {
    if (error != nullptr) {
      *error = rules::error_message(
          text, why, "NAME GROUPS KEY LIMIT/WINDOW SEVERITY, as in 'global * ip 600/1m low'");
    }
    return std::nullopt;
  };
  std::istringstream words{std::string{text}};
  std::string name, groups, key, rate, severity, extra;
  if (!(words >> name >> groups >> key >> rate >> severity)) return fail("too few words");
  if (words >> extra) return fail("too many words");

  RateLimitRule rule;
  if (!rules::valid_name(name)) return fail("NAME must be lowercase letters, digits, - or _");
  rule.name = name;
  if (groups != "*") {
    std::string_view rest = groups;
    while (!rest.empty()) {
      const auto bar = rest.find('|');
      const auto group = rest.substr(0, bar);
      if (!rules::valid_name(group)) return fail("GROUPS must be * or names joined by |");
      rule.groups.emplace_back(group);
      rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
  }
  const auto key_kind = util::enum_from_name<RateLimitRule::Key>(key);
  if (!key_kind) return fail("KEY must be ip, user or phone");
  rule.key = *key_kind;

  const auto slash = rate.find('/');
  if (slash == std::string::npos) return fail("LIMIT/WINDOW must look like 600/1m");
  const std::string_view limit = std::string_view{rate}.substr(0, slash);
  const std::string_view window = std::string_view{rate}.substr(slash + 1);
  if (!rules::parse_number(limit, rule.limit) || rule.limit == 0) {
    return fail("LIMIT must be a positive integer");
  }
  const auto parsed_window = rules::parse_window(window, std::chrono::hours(7 * 24));
  if (!parsed_window) return fail("WINDOW must be a positive number of s, m or h, at most a week");
  rule.window = *parsed_window;

  if (severity != "low" && severity != "medium" && severity != "high" && severity != "critical") {
    return fail("SEVERITY must be low, medium, high or critical");
  }
  rule.severity = severity;
  return rule;
}

}  // namespace pend::config
