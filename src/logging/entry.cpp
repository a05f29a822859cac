#include "logging/entry.hpp"

#include "logging/json_writer.hpp"
#include "logging/logger.hpp"
#include "util/json.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace pend::logging {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

constexpr std::array<std::string_view, 9> kSecretNames{
    "authorization", "cookie", "set-cookie", "otp", "code", "pin", "cvv", "x-api-key", "phone"};
constexpr std::array<std::string_view, 14> kSecretParts{"password",
                                                        "passwd",
                                                        "secret",
                                                        "token",
                                                        "otp_",
                                                        "_otp",
                                                        "phone",
                                                        "api_key",
                                                        "apikey",
                                                        "private_key",
                                                        "mnemonic",
                                                        "seed_phrase",
                                                        "verification_code",
                                                        "session_key"};

void write_number_or_null(JsonLineWriter& out, std::string_view key, std::optional<double> value) {
  if (value) out.field(key, *value);
}

}  // namespace

bool is_secret_field(std::string_view name) {
  const std::string key = lowercase(name);
  for (const auto exact : kSecretNames) {
    if (key == exact) return true;
  }
  for (const auto part : kSecretParts) {
    if (key.find(part) != std::string::npos) return true;
  }
  return false;
}

boost::json::value redacted(const boost::json::value& value) {
  if (const auto* object = value.if_object()) {
    boost::json::object out;
    for (const auto& [key, item] : *object) {
      out[key] = is_secret_field(key) ? boost::json::value("[REDACTED]") : redacted(item);
    }
    return out;
  }
  if (const auto* array = value.if_array()) {
    boost::json::array out;
    for (const auto& item : *array) out.push_back(redacted(item));
    return out;
  }
  return value;
}

std::string redacted_json(const boost::json::value& value, std::size_t limit) {
  std::string text = util::json::serialize(redacted(value));
  if (text.size() <= limit) return text;
  const std::size_t total = text.size();
  text.resize(limit);
  // A JSON string (escaped by the writer), so the column stays valid JSON.
  std::string out;
  append_json_string(out, text + "...[truncated, " + std::to_string(total) + " bytes]");
  return out;
}

void Logger::log(const Entry& e) {
  if (!enabled(e.level)) return;
  LineBuffer& line = scratch();
  begin_line(line, e.level, e.message);
  JsonLineWriter out(line, /*continues=*/true);
  out.field("category", e.category);
  out.field("event_type", e.event_type);
  auto text = [&](std::string_view key, std::string_view value) {
    if (!value.empty()) out.field(key, value);
  };
  text("user_id", e.user_id);
  text("admin_id", e.admin_id);
  text("session_id", e.session_id);
  text("request_id", e.request_id);
  text("correlation_id", e.correlation_id);
  text("ip_address", e.ip_address);
  text("user_agent", e.user_agent);
  text("endpoint", e.endpoint);
  text("method", e.method);
  if (e.status_code) out.field("status_code", std::int64_t{*e.status_code});
  if (e.response_time_ms) {
    out.field("response_time_ms", static_cast<std::int64_t>(*e.response_time_ms + 0.5));
  }
  if (e.request_size_bytes) out.field("request_size_bytes", *e.request_size_bytes);
  if (e.response_size_bytes) out.field("response_size_bytes", *e.response_size_bytes);
  text("error_code", e.error_code);
  text("error_message", e.error_message);
  text("error_stack", e.error_stack);
  const auto limit = options_.max_data_bytes;
  if (e.request_data != nullptr)
    out.raw_field("request_data", redacted_json(*e.request_data, limit));
  if (e.response_data != nullptr) {
    out.raw_field("response_data", redacted_json(*e.response_data, limit));
  }
  if (e.metadata != nullptr) out.raw_field("metadata", redacted_json(*e.metadata, limit));
  if (e.response_time_ms) {
    line.append(",\"performance\":{");
    JsonLineWriter performance(line);
    write_number_or_null(performance, "response_time_ms", e.response_time_ms);
    performance.field_bool("slow_query", *e.response_time_ms > 1000);
    performance.field_bool("very_slow_query", *e.response_time_ms > 5000);
    line.append('}');
  }
  line.append('}');
  const Category category = parse_category(e.category);
  submit(
      {e.level, category, category == Category::performance || e.response_time_ms.has_value(),
       category == Category::security || e.event_type.find("SECURITY") != std::string_view::npos},
      line);
}

void perf(std::string_view event_type, std::string_view message,
          std::chrono::steady_clock::time_point started, Entry extra) {
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - started;
  extra.category = "PERFORMANCE";
  extra.event_type = event_type;
  extra.message = message;
  extra.response_time_ms = elapsed.count();
  extra.level = elapsed.count() > 1000 ? Level::warn : Level::info;
  if (Logger* logger = global()) logger->log(extra);
}

void security(std::string_view event, std::string_view message, Entry extra) {
  std::string event_type = "SECURITY_";
  for (const char c : event)
    event_type += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  extra.level = Level::warn;
  extra.category = "SECURITY";
  extra.event_type = event_type;
  extra.message = message;
  if (Logger* logger = global()) logger->log(extra);
}

void business(std::string_view event_type, std::string_view message, Entry extra) {
  extra.level = Level::info;
  extra.category = "BUSINESS";
  extra.event_type = event_type;
  extra.message = message;
  if (Logger* logger = global()) logger->log(extra);
}

}  // namespace pend::logging
