// Operator input: a TOML configuration file and a .env file, through the loader that
// validates them. Either gives settings or a ConfigError listing the problems.
#include "config/dotenv.hpp"
#include "config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 1) {
    (void)pend::config::parse_dotenv(text, "fuzz.env");
    return 0;
  }
  pend::config::LoadOptions options;
  options.environment = "development";
  options.dotenv_path.reset();
  options.getenv = [](const std::string&) { return std::optional<std::string>{}; };
  options.file_text = text;
  try {
    (void)pend::config::load(options);
  } catch (const pend::config::ConfigError&) {
  }
  return 0;
}
