// The one table of configuration keys: TOML path, environment variable, type, limits,
// whether it is a secret, and how it maps onto Settings. Loading, validation, `config
// check` and the .env.example test all read this table.
#pragma once

#include "config/settings.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pend::config {

enum class Kind { string, boolean, integer, string_list };

using Value = std::variant<std::string, bool, std::int64_t, std::vector<std::string>>;

struct Key {
  std::string_view path;  // "server.port"
  std::string_view env;   // "PORT"
  Kind kind;
  std::int64_t min = 0;  // integers only
  std::int64_t max = 0;
  bool secret = false;
  std::string_view help;
  std::function<void(Settings&, const Value&)> set;
  std::function<Value(const Settings&)> get;
};

std::span<const Key> keys();
const Key* find_key(std::string_view path);

// The key whose path (by_env: whose variable) is nearest a misspelt name, for "did you
// mean"; nullptr when none is close.
const Key* closest_key(std::string_view name, bool by_env);

// Parses an environment or command-line string as the key's kind; sets error when it can't.
std::optional<Value> parse_value(const Key& key, std::string_view text, std::string& error);

}  // namespace pend::config
