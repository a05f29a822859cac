// Loads the settings once at start-up from, lowest to highest precedence: built-in defaults,
// config/<env>.toml, the .env file, the process environment, command-line overrides.
// Every problem found (unknown keys, bad values, missing production secrets) is collected
// and reported together. docs/development/configuration.md lists every key.
//
//   LoadOptions options;
//   options.overrides["server.port"] = "9000";
//   Settings settings = load(options);  // throws ConfigError listing every problem
#pragma once

#include "config/describe.hpp"  // describe(): what `config check` prints
#include "config/settings.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pend::config {

struct LoadOptions {
  std::optional<std::string> environment;  // --env; else PEND_ENV; else development
  std::filesystem::path config_dir = "config";
  std::optional<std::filesystem::path> dotenv_path = ".env";  // nullopt: no .env
  std::map<std::string, std::string> overrides;               // by key path, e.g. "server.port"
  // Reads one environment variable; empty means ::getenv.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // Names of all variables in the environment, to catch misspelt PEND_ ones.
  std::vector<std::string> environment_names;
  // The workers this binary has (the composition root's table, app/workers.hpp), which
  // workers.enabled may name; empty: the names are not checked.
  std::vector<std::string_view> known_workers;
  // The environment file's text instead of config_dir/<env>.toml (the fuzz target's seam).
  std::optional<std::string> file_text;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

Settings load(const LoadOptions& options);

}  // namespace pend::config
