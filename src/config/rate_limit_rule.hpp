// RateLimitRule: one line of rate_limit.rules, "NAME GROUPS KEY LIMIT/WINDOW SEVERITY":
//
//   "global * ip 600/1m low"             every route group, per client IP, 600 a minute
//   "auth-phone auth phone 5/15m high"   routes of group auth, per phone number, 5 in 15 min
//
// GROUPS is * or route groups joined by | (auth|sessions). KEY is ip (the client address),
// user (the signed-in principal; anonymous requests skip the rule) or phone (the "phone"
// field of the JSON body, hashed; requests without one skip it). WINDOW is a number with
// s, m or h. SEVERITY (low, medium, high, critical) goes on the security event a refusal
// records.
#pragma once

#include <boost/describe/enum.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pend::config {

struct RateLimitRule {
  enum class Key : std::uint8_t { ip, user, phone };
  BOOST_DESCRIBE_NESTED_ENUM(Key, ip, user, phone)
  std::string name;
  std::vector<std::string> groups;  // empty: every group
  Key key = Key::ip;
  std::uint32_t limit = 0;
  std::chrono::seconds window{0};
  std::string severity;

  bool applies_to(std::string_view group) const;
};

std::string_view to_string(RateLimitRule::Key key);

// Empty with *error set when text is not a rule.
std::optional<RateLimitRule> parse_rate_limit_rule(std::string_view text, std::string* error);

}  // namespace pend::config
