#include "config/describe.hpp"

#include "config/schema.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <cstdio>
#include <sstream>

namespace pend::config {
namespace {

// A TOML basic string: quotes, backslashes and control characters escaped, so that
// `config check` output is itself a valid config file.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04X", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string mask_url_password(std::string_view text) {
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(text.data(), text.size()));
  if (!parsed) return std::string{text};
  boost::urls::url url = *parsed;
  if (url.has_password()) url.set_password("********");
  // libpq also takes the password as a query parameter.
  if (url.params().contains("password")) url.params().set("password", "********");
  return std::string{url.buffer()};
}

std::string mask_secret_item(std::string_view text) {
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(text.data(), text.size()));
  if (!parsed || parsed->host().empty()) return "********";
  // A node URL's key rides in its path or query (https://host/v3/KEY): only the scheme, the
  // host and the port show.
  boost::urls::url url = *parsed;
  const bool hidden = url.has_userinfo() || url.has_query() || url.has_fragment() ||
                      (!url.encoded_path().empty() && url.encoded_path() != "/");
  url.remove_userinfo();
  url.remove_query();
  url.remove_fragment();
  if (hidden) url.set_encoded_path("/********");
  return std::string{url.buffer()};
}

std::string describe(const Settings& settings) {
  std::ostringstream out;
  out << "# effective configuration (" << to_string(settings.environment) << "); secrets masked\n";
  std::string section;
  for (const auto& key : keys()) {
    const auto dot = key.path.find('.');
    const auto key_section = key.path.substr(0, dot);
    if (key_section != section) {
      section = key_section;
      out << "\n[" << section << "]\n";
    }
    out << key.path.substr(dot + 1) << " = ";
    const Value value = key.get(settings);
    if (const auto* text = std::get_if<std::string>(&value)) {
      if (key.secret && key.path.ends_with(".url") && boost::urls::parse_uri(*text)) {
        out << toml_string(mask_url_password(*text));
      } else if (key.secret && !text->empty()) {
        out << "\"********\"";
      } else {
        out << toml_string(*text);
      }
    } else if (const auto* flag = std::get_if<bool>(&value)) {
      out << (*flag ? "true" : "false");
    } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
      out << *number;
    } else {
      const auto& items = std::get<std::vector<std::string>>(value);
      out << "[";
      // A secret list (keys, node URLs with their API key in the path) shows how many
      // entries it has, not what they hold.
      for (std::size_t i = 0; i < items.size(); ++i)
        out << (i ? ", " : "") << toml_string(key.secret ? mask_secret_item(items[i]) : items[i]);
      out << "]";
    }
    out << "  # " << key.env << "\n";
  }
  return out.str();
}

}  // namespace pend::config
