#include "config/rule_parsing.hpp"

#include <algorithm>

namespace pend::config::rules {

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::optional<std::chrono::seconds> parse_window(std::string_view text, std::chrono::seconds max) {
  std::int64_t unit = 0;
  if (text.ends_with('s')) unit = 1;
  if (text.ends_with('m')) unit = 60;
  if (text.ends_with('h')) unit = 3600;
  std::int64_t count = 0;
  if (unit == 0 || !parse_number(text.substr(0, text.size() - 1), count) || count <= 0 ||
      count > max.count() / unit) {
    return std::nullopt;
  }
  return std::chrono::seconds(count * unit);
}

std::string error_message(std::string_view rule, std::string_view why, std::string_view expected) {
  // Reserved, then appended: GCC 12 at -O3 warns falsely (-Wrestrict) on a chain of +.
  std::string message;
  message.reserve(rule.size() + why.size() + expected.size() + 16);
  message.push_back('\'');
  message.append(rule.data(), rule.size());
  message.append("': ");
  message.append(why.data(), why.size());
  message.append(" (expected ");
  message.append(expected.data(), expected.size());
  message.push_back(')');
  return message;
}

}  // namespace pend::config::rules
