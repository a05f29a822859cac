#include "logging/sink.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace pend::logging {

namespace {

// "100MB", "100m", "512k", "1G": bytes.
std::optional<std::uint64_t> size_named(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text.ends_with('b')) text.pop_back();
  std::uint64_t unit = 1;
  if (!text.empty() && (text.back() == 'k' || text.back() == 'm' || text.back() == 'g')) {
    unit = text.back() == 'k' ? 1024 : text.back() == 'm' ? 1024 * 1024 : 1024 * 1024 * 1024;
    text.pop_back();
  }
  std::uint64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc{} || end != text.data() + text.size() || count == 0) return std::nullopt;
  if (count * unit < 4096 || count > (std::uint64_t{1} << 50) / unit) return std::nullopt;
  return count * unit;
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

std::optional<SinkSpec> parse_sink_spec(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<SinkSpec> {
    if (error != nullptr) {
      std::string message;
      message.reserve(text.size() + why.size() + 8);
      message.push_back('\'');
      message.append(text.data(), text.size());
      message.append("': ");
      message.append(why.data(), why.size());
      *error = std::move(message);
    }
    return std::nullopt;
  };
  std::istringstream stream{std::string{text}};
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  if (words.empty()) return fail("empty");

  SinkSpec spec;
  if (words[0] == "console") {
    if (words.size() != 3) return fail("expected: console LEVEL FORMAT (json, human or auto)");
    spec.kind = SinkSpec::Kind::console;
    const auto level = parse_level(words[1]);
    if (!level) return fail("LEVEL must be error, warn, info, debug or trace");
    spec.level = *level;
    if (words[2] == "json") {
      spec.format = SinkSpec::Format::json;
    } else if (words[2] == "human") {
      spec.format = SinkSpec::Format::human;
    } else if (words[2] == "auto") {
      spec.format = SinkSpec::Format::automatic;
    } else {
      return fail("FORMAT must be json, human or auto");
    }
    return spec;
  }
  if (words[0] == "file") {
    if (words.size() != 6) {
      return fail(
          "expected: file NAME LEVEL FILTER MAX_SIZE RETENTION, as in "
          "'file server info all 100MB 30d'");
    }
    spec.kind = SinkSpec::Kind::file;
    if (!valid_name(words[1])) return fail("NAME must be lowercase letters, digits, - or _");
    spec.name = words[1];
    const auto level = parse_level(words[2]);
    if (!level) return fail("LEVEL must be error, warn, info, debug or trace");
    spec.level = *level;
    if (words[3] == "all") {
      spec.filter = Filter::all;
    } else if (words[3] == "performance") {
      spec.filter = Filter::performance;
    } else if (words[3] == "security") {
      spec.filter = Filter::security;
    } else {
      return fail("FILTER must be all, performance or security");
    }
    const auto size = size_named(words[4]);
    if (!size) return fail("MAX_SIZE must be a size of at least 4k, as in 100MB, 512k, 1G");
    spec.max_bytes = *size;
    const std::string& retention = words[5];
    unsigned days = 0;
    const auto [end, ec] =
        std::from_chars(retention.data(), retention.data() + retention.size() - 1, days);
    if (!retention.ends_with('d') || ec != std::errc{} ||
        end != retention.data() + retention.size() - 1 || days == 0 || days > 3650) {
      return fail("RETENTION must be days, as in 30d (1-3650)");
    }
    spec.retention_days = days;
    return spec;
  }
  if (words[0] == "postgres") {
    if (words.size() != 2) return fail("expected: postgres LEVEL");
    spec.kind = SinkSpec::Kind::postgres;
    const auto level = parse_level(words[1]);
    if (!level) return fail("LEVEL must be error, warn, info, debug or trace");
    spec.level = *level;
    spec.name = "postgres";
    return spec;
  }
  return fail("a sink is console, file or postgres");
}

}  // namespace pend::logging
