// The small grammar the one-line rules of the configuration share (rate_limit.rules,
// alerting.rules, metrics.thresholds): names, numbers, windows like 5m, and the message that
// quotes the rule and says what was expected.
#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pend::config::rules {

// Lowercase letters, digits, - and _, at most 40.
bool valid_name(std::string_view name);

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// "30s", "5m", "1h": a positive count of seconds, minutes or hours up to max.
std::optional<std::chrono::seconds> parse_window(std::string_view text, std::chrono::seconds max);

// "'<rule>': <why> (expected <expected>)".
std::string error_message(std::string_view rule, std::string_view why, std::string_view expected);

}  // namespace pend::config::rules
