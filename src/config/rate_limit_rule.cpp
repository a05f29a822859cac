#include "config/rate_limit_rule.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace pend::config {

bool RateLimitRule::applies_to(std::string_view group) const {
  return groups.empty() || std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::string_view to_string(RateLimitRule::Key key) {
  switch (key) {
    case RateLimitRule::Key::ip:
      return "ip";
    case RateLimitRule::Key::user:
      return "user";
    case RateLimitRule::Key::phone:
      return "phone";
  }
  return "ip";
}

namespace {

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::optional<RateLimitRule> parse_rate_limit_rule(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<RateLimitRule> {
    if (error != nullptr) {
      constexpr std::string_view kExpected =
          " (expected NAME GROUPS KEY LIMIT/WINDOW SEVERITY, as in 'global * ip 600/1m low')";
      // Reserved, then appended: GCC 12 at -O3 warns falsely (-Wrestrict) on a chain of +.
      std::string message;
      message.reserve(text.size() + why.size() + kExpected.size() + 4);
      message.push_back('\'');
      message.append(text.data(), text.size());
      message.append("': ");
      message.append(why.data(), why.size());
      message.append(kExpected.data(), kExpected.size());
      *error = std::move(message);
    }
    return std::nullopt;
  };
  std::istringstream words{std::string{text}};
  std::string name, groups, key, rate, severity, extra;
  if (!(words >> name >> groups >> key >> rate >> severity)) return fail("too few words");
  if (words >> extra) return fail("too many words");

  RateLimitRule rule;
  if (!valid_name(name)) return fail("NAME must be lowercase letters, digits, - or _");
  rule.name = name;
  if (groups != "*") {
    std::string_view rest = groups;
    while (!rest.empty()) {
      const auto bar = rest.find('|');
      const auto group = rest.substr(0, bar);
      if (!valid_name(group)) return fail("GROUPS must be * or names joined by |");
      rule.groups.emplace_back(group);
      rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    }
  }
  if (key == "ip") {
    rule.key = RateLimitRule::Key::ip;
  } else if (key == "user") {
    rule.key = RateLimitRule::Key::user;
  } else if (key == "phone") {
    rule.key = RateLimitRule::Key::phone;
  } else {
    return fail("KEY must be ip, user or phone");
  }

  const auto slash = rate.find('/');
  if (slash == std::string::npos) return fail("LIMIT/WINDOW must look like 600/1m");
  const std::string_view limit = std::string_view{rate}.substr(0, slash);
  std::string_view window = std::string_view{rate}.substr(slash + 1);
  if (!parse_number(limit, rule.limit) || rule.limit == 0) {
    return fail("LIMIT must be a positive integer");
  }
  std::int64_t unit = 0;
  if (window.ends_with('s')) unit = 1;
  if (window.ends_with('m')) unit = 60;
  if (window.ends_with('h')) unit = 3600;
  std::int64_t count = 0;
  if (unit == 0 || !parse_number(window.substr(0, window.size() - 1), count) || count <= 0 ||
      count * unit > 7 * 86'400) {
    return fail("WINDOW must be a positive number of s, m or h, at most a week");
  }
  rule.window = std::chrono::seconds(count * unit);

  if (severity != "low" && severity != "medium" && severity != "high" && severity != "critical") {
    return fail("SEVERITY must be low, medium, high or critical");
  }
  rule.severity = severity;
  return rule;
}

}  // namespace pend::config
