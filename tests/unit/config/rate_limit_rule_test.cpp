#include "config/rate_limit_rule.hpp"

#include <gtest/gtest.h>

namespace pend::config {
namespace {

TEST(RateLimitRuleTest, ParsesEveryPart) {
  std::string error;
  auto rule = parse_rate_limit_rule("auth-phone auth|sessions phone 5/15m high", &error);
  ASSERT_TRUE(rule) << error;
  EXPECT_EQ(rule->name, "auth-phone");
  EXPECT_EQ(rule->groups, (std::vector<std::string>{"auth", "sessions"}));
  EXPECT_EQ(rule->key, RateLimitRule::Key::phone);
  EXPECT_EQ(rule->limit, 5u);
  EXPECT_EQ(rule->window, std::chrono::minutes(15));
  EXPECT_EQ(rule->severity, "high");
  EXPECT_TRUE(rule->applies_to("sessions"));
  EXPECT_FALSE(rule->applies_to("api"));

  rule = parse_rate_limit_rule("  global   *  ip  600/30s  low ", &error);
  ASSERT_TRUE(rule) << error;
  EXPECT_TRUE(rule->groups.empty());
  EXPECT_TRUE(rule->applies_to("anything"));
  EXPECT_EQ(rule->window, std::chrono::seconds(30));
  EXPECT_EQ(parse_rate_limit_rule("u * user 10/2h critical", &error)->window,
            std::chrono::hours(2));
}

TEST(RateLimitRuleTest, RefusesWhatIsNotARuleAndSaysWhy) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"global * ip 600/1m", "too few words"},
      {"global * ip 600/1m low extra", "too many words"},
      {"Global * ip 600/1m low", "NAME"},
      {"global a||b ip 600/1m low", "GROUPS"},
      {"global * email 600/1m low", "KEY must be ip, user or phone"},
      {"global * ip 600 low", "LIMIT/WINDOW"},
      {"global * ip 0/1m low", "LIMIT must be a positive integer"},
      {"global * ip -5/1m low", "LIMIT must be a positive integer"},
      {"global * ip 5/1d low", "WINDOW"},
      {"global * ip 5/0m low", "WINDOW"},
      {"global * ip 5/200h low", "at most a week"},
      {"global * ip 5/1m urgent", "SEVERITY"},
  };
  for (const auto& [text, why] : cases) {
    std::string error;
    EXPECT_FALSE(parse_rate_limit_rule(text, &error)) << text;
    EXPECT_NE(error.find(why), std::string::npos) << text << ": " << error;
  }
}

}  // namespace
}  // namespace pend::config
