#include "domain/common/validation.hpp"

#include <string>

namespace pend::domain {

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

void check_length(http::Problems& problems, std::string_view field, std::string_view value,
                  std::size_t min, std::size_t max) {
  const auto length = utf8_length(value);
  if (length < min) {
    problems.add(std::string{field}, "too_short",
                 "must be at least " + std::to_string(min) + " characters");
  } else if (length > max) {
    problems.add(std::string{field}, "too_long",
                 "must be at most " + std::to_string(max) + " characters");
  }
}

void check_range(http::Problems& problems, std::string_view field, std::int64_t value,
                 std::int64_t min, std::int64_t max) {
  if (value < min || value > max) {
    problems.add(std::string{field}, "out_of_range",
                 "must be from " + std::to_string(min) + " to " + std::to_string(max));
  }
}

bool is_email(std::string_view text) {
  if (text.size() < 3 || text.size() > 254) return false;
  const auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || at + 1 == text.size()) return false;
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  constexpr std::string_view kLocalSpecials = "!#$%&'*+-/=?^_`{|}~.";
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char c : local) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && kLocalSpecials.find(c) == std::string_view::npos) return false;
  }
  // Labels of letters, digits and inner hyphens, at least two of them.
  if (domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    const auto dot = domain.find('.', start);
    const auto label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

void check_email(http::Problems& problems, std::string_view field, std::string_view value) {
  if (!is_email(value)) {
    problems.add(std::string{field}, "invalid_format", "must be an email address");
  }
}

}  // namespace pend::domain
