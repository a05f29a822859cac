#include "config/dotenv.hpp"

#include <cctype>

namespace pend::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

DotenvResult parse_dotenv(std::string_view text, std::string_view source) {
  DotenvResult result;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    ++line_number;
    const auto where = std::string{source} + ":" + std::to_string(line_number) + ": ";

    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) {
      result.problems.push_back(where + "expected KEY=VALUE");
      continue;
    }
    const auto name = trim(line.substr(0, equals));
    if (!valid_name(name)) {
      result.problems.push_back(where + "invalid variable name '" + std::string{name} + "'");
      continue;
    }
    std::string_view raw = trim(line.substr(equals + 1));
    std::string value;
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
      const char quote = raw.front();
      std::size_t i = 1;
      bool closed = false;
      for (; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == quote) {
          closed = true;
          break;
        }
        if (quote == '"' && c == '\\' && i + 1 < raw.size()) {
          const char next = raw[++i];
          value += next == 'n' ? '\n' : next == 't' ? '\t' : next;
        } else {
          value += c;
        }
      }
      const auto rest = closed ? trim(raw.substr(i + 1)) : std::string_view{};
      if (!closed || (!rest.empty() && rest.front() != '#')) {
        result.problems.push_back(where + "unterminated or malformed quoted value");
        continue;
      }
    } else {
      // Unquoted: a '#' starts a comment when it follows whitespace (or the '=' itself), so
      // "a#b" stays a value.
      std::size_t comment = 0;
      while (comment < raw.size() &&
             !(raw[comment] == '#' &&
               (comment == 0 || std::isspace(static_cast<unsigned char>(raw[comment - 1]))))) {
        ++comment;
      }
      value = trim(raw.substr(0, comment));
    }
    result.values[std::string{name}] = std::move(value);
  }
  return result;
}

}  // namespace pend::config
