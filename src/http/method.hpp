// The HTTP methods the router knows, as a small enum usable as an array index.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pend::http {

enum class Method : std::uint8_t { get, head, post, put, patch, delete_, options, other };

inline constexpr std::size_t kMethodCount = 8;

inline constexpr std::array<std::string_view, kMethodCount> kMethodNames = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"};

constexpr std::string_view to_string(Method method) {
  return kMethodNames[static_cast<std::size_t>(method)];
}

constexpr std::size_t index_of(Method method) { return static_cast<std::size_t>(method); }

constexpr Method parse_method(std::string_view name) {
  for (std::size_t i = 0; i + 1 < kMethodCount; ++i) {
    if (kMethodNames[i] == name) return static_cast<Method>(i);
  }
  return Method::other;
}

}  // namespace pend::http
