#include "logging/console_sink.hpp"

#include "util/json.hpp"

#include <unistd.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cerrno>

namespace pend::logging {

namespace {

std::string_view colour_of(std::string_view level) {
  if (level == "ERROR") return "\x1b[31m";
  if (level == "WARN") return "\x1b[33m";
  if (level == "INFO") return "\x1b[32m";
  if (level == "DEBUG") return "\x1b[34m";
  return "\x1b[90m";
}

std::string_view text_of(const boost::json::object& entry, std::string_view key) {
  const auto* value = entry.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

}  // namespace

bool write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

ConsoleSink::ConsoleSink(int fd, Level level, SinkSpec::Format format)
    : Sink(level, Filter::all),
      fd_(fd),
      human_(format == SinkSpec::Format::human ||
             (format == SinkSpec::Format::automatic && ::isatty(fd) == 1)),
      colour_(::isatty(fd) == 1) {}

void ConsoleSink::write(const RecordMeta&, std::string_view line) {
  if (!human_) {
    buffer_ += line;
    return;
  }
  if (line.ends_with('\n')) line.remove_suffix(1);
  buffer_ += human(line, colour_);
  buffer_ += '\n';
}

void ConsoleSink::flush() {
  if (buffer_.empty()) return;
  write_fully(fd_, buffer_);  // nowhere left to report a failing console
  buffer_.clear();
}

std::string ConsoleSink::human(std::string_view line, bool colour) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(line, ec);
  if (ec || !parsed.is_object()) return std::string{line};
  const auto& entry = parsed.get_object();
  std::string out;
  std::string_view timestamp = text_of(entry, "@timestamp");  // 2026-11-25T16:46:14.372Z
  if (timestamp.size() == 24) {
    out.append(timestamp.substr(0, 10)).append(" ").append(timestamp.substr(11, 12));
  } else {
    util::json::append_printable(out, timestamp);
  }
  const std::string_view level = text_of(entry, "level");
  out += " [";
  if (colour) out += colour_of(level);
  util::json::append_printable(out, level);
  if (colour) out += "\x1b[0m";
  out += "] ";
  util::json::append_printable(out, text_of(entry, "message"));
  if (const auto id = text_of(entry, "request_id"); !id.empty()) {
    out += " | RequestID: ";
    util::json::append_printable(out, id);
  }
  if (const auto user = text_of(entry, "user_id"); !user.empty()) {
    out += " | UserID: ";
    util::json::append_printable(out, user.substr(0, 8));
    out += "...";
  }
  if (const auto endpoint = text_of(entry, "endpoint"); !endpoint.empty()) {
    out += " | ";
    util::json::append_printable(out, endpoint);
  }
  if (const auto* ms = entry.if_contains("response_time_ms"); ms != nullptr && ms->is_number()) {
    out += " | ";
    out += std::to_string(static_cast<std::int64_t>(ms->to_number<double>()));
    out += "ms";
  }
  return out;
}

}  // namespace pend::logging
