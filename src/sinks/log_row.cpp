#include "sinks/log_row.hpp"

#include "db/binary_copy_encoder.hpp"
#include "sinks/postgres_sink.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>

namespace pend::sinks {

namespace json = boost::json;

namespace {

// Column widths of server_logs (migrations/002_enhanced_logging.sql), and our own caps on the
// unbounded text columns.
constexpr std::size_t kShortText = 50;       // category, event_type, error_code
constexpr std::size_t kIdText = 36;          // request_id, correlation_id
constexpr std::size_t kSessionText = 100;    // session_id
constexpr std::size_t kEndpointText = 255;   // endpoint
constexpr std::size_t kAgentText = 4096;     // user_agent
constexpr std::size_t kMessageText = 65536;  // error_message, error_stack

std::optional<std::string_view> level_of(std::string_view text) {
  for (const std::string_view level : {"error", "warn", "info", "debug", "trace"}) {
    if (text.size() == level.size() && std::equal(text.begin(), text.end(), level.begin(),
                                                  [](char a, char b) { return (a | 0x20) == b; })) {
      return level;
    }
  }
  return std::nullopt;
}

bool is_method(std::string_view m) {
  return m == "GET" || m == "POST" || m == "PUT" || m == "DELETE" || m == "PATCH" || m == "OPTIONS";
}

// An integer column from a JSON number, clamped to int4 and to non-negative values.
std::optional<std::int32_t> int4_of(const json::value& value) {
  if (!value.is_number()) return std::nullopt;
  const double number = value.to_number<double>();
  return static_cast<std::int32_t>(
      std::clamp(number, 0.0, static_cast<double>(std::numeric_limits<std::int32_t>::max())));
}

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

// server_logs' COPY: the columns, in the order encode() writes them.
#define PEND_SERVER_LOGS_COLUMNS                                                              \
  "id, timestamp, level, category, event_type, user_id, admin_id, session_id, request_id, "   \
  "correlation_id, ip_address, user_agent, endpoint, method, status_code, response_time_ms, " \
  "request_size_bytes, response_size_bytes, error_code, error_message, error_stack, "         \
  "request_data, response_data, metadata"
constexpr std::uint16_t kColumns = 24;

const std::string kCopy =
    "COPY server_logs (" PEND_SERVER_LOGS_COLUMNS ") FROM STDIN (FORMAT binary)";

// Replays, and batches the table refused as a whole: into a staging table of the same
// columns without their constraints, then merged. Ids already stored (a replay after a crash
// between commit and spool removal) are skipped; a user_id or admin_id that is not (or no
// longer) a user becomes NULL and is kept in metadata, rather than losing the row to the
// foreign key.
const std::string kCreateStaging =
    "CREATE TEMPORARY TABLE IF NOT EXISTS server_logs_incoming (id uuid, timestamp timestamptz, "
    "level text, category text, event_type text, user_id uuid, admin_id uuid, session_id text, "
    "request_id text, correlation_id text, ip_address inet, user_agent text, endpoint text, "
    "method text, status_code int, response_time_ms int, request_size_bytes int, "
    "response_size_bytes int, error_code text, error_message text, error_stack text, "
    "request_data jsonb, response_data jsonb, metadata jsonb) ON COMMIT DELETE ROWS";
const std::string kCopyStaging =
    "COPY server_logs_incoming (" PEND_SERVER_LOGS_COLUMNS ") FROM STDIN (FORMAT binary)";
const std::string kMerge =
    "INSERT INTO server_logs (" PEND_SERVER_LOGS_COLUMNS
    ") "
    "SELECT r.id, r.timestamp, r.level, r.category, r.event_type, u.id, a.id, r.session_id, "
    "r.request_id, r.correlation_id, r.ip_address, r.user_agent, r.endpoint, r.method, "
    "r.status_code, r.response_time_ms, r.request_size_bytes, r.response_size_bytes, "
    "r.error_code, r.error_message, r.error_stack, r.request_data, r.response_data, "
    "COALESCE(r.metadata, '{}') "
    "|| CASE WHEN r.user_id IS NOT NULL AND u.id IS NULL "
    "THEN jsonb_build_object('user_id', r.user_id) ELSE '{}' END "
    "|| CASE WHEN r.admin_id IS NOT NULL AND a.id IS NULL "
    "THEN jsonb_build_object('admin_id', r.admin_id) ELSE '{}' END "
    "FROM server_logs_incoming r "
    "LEFT JOIN users u ON u.id = r.user_id LEFT JOIN admin_users a ON a.id = r.admin_id "
    "ON CONFLICT DO NOTHING";

#undef PEND_SERVER_LOGS_COLUMNS

void encode_row(const LogRow& row, db::BinaryCopyEncoder& out) {
  const auto text = [&](const std::optional<std::string_view>& value) {
    value ? out.text(*value) : out.null();
  };
  const auto int4 = [&](const std::optional<std::int32_t>& value) {
    value ? out.int4(*value) : out.null();
  };
  const auto uuid = [&](const std::optional<db::Uuid>& value) {
    value ? out.uuid(*value) : out.null();
  };
  const auto jsonb = [&](const std::optional<std::string>& value) {
    value ? out.jsonb(*value) : out.null();
  };
  out.begin_row(kColumns);
  out.uuid(row.id).timestamptz(row.timestamp).text(row.level).text(row.category);
  out.text(row.event_type);
  uuid(row.user_id);
  uuid(row.admin_id);
  text(row.session_id);
  text(row.request_id);
  text(row.correlation_id);
  row.ip_address ? out.inet(*row.ip_address) : out.null();
  text(row.user_agent);
  text(row.endpoint);
  text(row.method);
  int4(row.status_code);
  int4(row.response_time_ms);
  int4(row.request_size_bytes);
  int4(row.response_size_bytes);
  text(row.error_code);
  text(row.error_message);
  text(row.error_stack);
  jsonb(row.request_data);
  jsonb(row.response_data);
  out.jsonb(row.metadata);
}

class ServerLogsEncoder final : public RowEncoder {
 public:
  bool encode(std::string_view line, std::string& out) override {
    const LogRow* row = mapper_.map(line);
    if (row == nullptr) return false;
    db::BinaryCopyEncoder encoder(out);
    encode_row(*row, encoder);
    return true;
  }

 private:
  LogRowMapper mapper_;
};

}  // namespace

CopyTarget server_logs_target() {
  return {.copy = kCopy,
          .create_staging = kCreateStaging,
          .copy_staging = kCopyStaging,
          .merge = kMerge,
          .encoder = [] { return std::make_unique<ServerLogsEncoder>(); }};
}

std::string without_nul_escapes(std::string json_text) {
  if (json_text.find("\\u0000") == std::string::npos) return json_text;
  std::string out;
  out.reserve(json_text.size());
  for (std::size_t i = 0; i < json_text.size(); ++i) {
    if (json_text[i] != '\\' || i + 1 >= json_text.size()) {
      out += json_text[i];
      continue;
    }
    // Every backslash in JSON text starts an escape: \u0000 goes, the others stay whole.
    if (json_text.compare(i, 6, "\\u0000") == 0) {
      i += 5;
    } else {
      out += json_text[i];
      out += json_text[++i];
    }
  }
  return out;
}

std::string_view prefix_chars(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return text;  // bytes >= characters
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation
    if (chars++ == max_chars) return text.substr(0, i);
  }
  return text;
}

std::optional<db::Timestamp> parse_utc_timestamp(std::string_view text) {
  if (!text.ends_with('Z') && !text.ends_with("+00:00")) return std::nullopt;
  return util::parse_rfc3339(text);
}

LogRowMapper::LogRowMapper() : buffer_(std::make_unique<unsigned char[]>(kBuffer)) {}

const LogRow* LogRowMapper::map(std::string_view line, std::string* why) {
  auto refuse = [&](const char* reason) -> const LogRow* {
    if (why != nullptr) *why = reason;
    return nullptr;
  };
  entry_.reset();
  resource_.reset();
  resource_.emplace(buffer_.get(), kBuffer);
  owned_.clear();
  parser_.reset(json::storage_ptr(&*resource_));
  boost::system::error_code ec;
  parser_.write(line.data(), line.size(), ec);
  if (ec) return refuse("not JSON");
  entry_.emplace(parser_.release());
  if (!entry_->is_object()) return refuse("not a JSON object");
  const json::object& entry = entry_->get_object();

  LogRow& row = row_;
  row = LogRow{};
  const json::value* id = entry.if_contains("id");
  const auto uuid =
      id != nullptr && id->is_string() ? db::Uuid::parse(id->get_string()) : std::nullopt;
  if (!uuid) return refuse("no valid id");
  row.id = *uuid;
  const json::value* at = entry.if_contains("@timestamp");
  const auto timestamp =
      at != nullptr && at->is_string() ? parse_utc_timestamp(at->get_string()) : std::nullopt;
  if (!timestamp) return refuse("no valid @timestamp");
  row.timestamp = *timestamp;
  row.level = "info";
  row.category = "GENERAL";
  row.event_type = "LOG";

  json::object metadata(&*resource_);
  // A text column takes a string (cut to the column's width); anything else goes to metadata.
  auto text = [&](std::string_view key, const json::value& value, std::size_t width,
                  std::optional<std::string_view>& column) {
    if (!value.is_string()) {
      metadata[key] = value;
      return;
    }
    std::string_view content = value.get_string();
    if (has_nul(content)) {
      std::string& clean = owned_.emplace_back(content);
      std::erase(clean, '\0');
      content = clean;
    }
    column = prefix_chars(content, width);
  };
  for (const auto& [key, value] : entry) {
    const std::string_view k = key;
    std::optional<std::string_view> scratch;
    if (k == "id" || k == "@timestamp" || k == "service" || k == "environment" ||
        k == "process_id") {
      continue;
    } else if (k == "level") {
      const auto level = value.is_string() ? level_of(value.get_string()) : std::nullopt;
      if (level) {
        row.level = *level;
      } else {
        metadata[k] = value;
      }
    } else if (k == "category" || k == "event_type") {
      text(k, value, kShortText, scratch);
      if (scratch && !scratch->empty())
        (k == "category" ? row.category : row.event_type) = *scratch;
    } else if (k == "user_id" || k == "admin_id") {
      const auto parsed_id = value.is_string() ? db::Uuid::parse(value.get_string()) : std::nullopt;
      if (parsed_id) {
        (k == "user_id" ? row.user_id : row.admin_id) = parsed_id;
      } else {
        metadata[k] = value;
      }
    } else if (k == "ip_address") {
      boost::system::error_code bad;
      const auto address = value.is_string() ? boost::asio::ip::make_address(
                                                   std::string_view{value.get_string()}, bad)
                                             : boost::asio::ip::address{};
      if (value.is_string() && !bad) {
        row.ip_address = address;
      } else {
        metadata[k] = value;
      }
    } else if (k == "method") {
      if (value.is_string() && is_method(value.get_string())) {
        row.method = value.get_string();
      } else {
        metadata[k] = value;
      }
    } else if (k == "status_code") {
      if (value.is_int64() && value.get_int64() >= 100 && value.get_int64() <= 599) {
        row.status_code = static_cast<std::int32_t>(value.get_int64());
      } else {
        metadata[k] = value;
      }
    } else if (k == "response_time_ms" || k == "request_size_bytes" || k == "response_size_bytes") {
      auto& column = k == "response_time_ms"     ? row.response_time_ms
                     : k == "request_size_bytes" ? row.request_size_bytes
                                                 : row.response_size_bytes;
      column = int4_of(value);
      if (!column) metadata[k] = value;
    } else if (k == "session_id") {
      text(k, value, kSessionText, row.session_id);
    } else if (k == "request_id") {
      text(k, value, kIdText, row.request_id);
    } else if (k == "correlation_id") {
      text(k, value, kIdText, row.correlation_id);
    } else if (k == "user_agent") {
      text(k, value, kAgentText, row.user_agent);
    } else if (k == "endpoint") {
      text(k, value, kEndpointText, row.endpoint);
    } else if (k == "error_code") {
      text(k, value, kShortText, row.error_code);
    } else if (k == "error_message") {
      text(k, value, kMessageText, row.error_message);
    } else if (k == "error_stack") {
      text(k, value, kMessageText, row.error_stack);
    } else if (k == "request_data") {
      row.request_data = without_nul_escapes(util::json::serialize(value));
    } else if (k == "response_data") {
      row.response_data = without_nul_escapes(util::json::serialize(value));
    } else if (k == "metadata" && value.is_object()) {
      for (const auto& [mk, mv] : value.get_object()) metadata[mk] = mv;
    } else if (k == "performance" && value.is_object()) {
      // The response time and its flags are the response_time_ms column; the rest stays.
      json::object rest(&*resource_);
      for (const auto& [pk, pv] : value.get_object()) {
        if (pk != "response_time_ms" && pk != "slow_query" && pk != "very_slow_query") {
          rest[pk] = pv;
        }
      }
      if (!rest.empty()) metadata[k] = std::move(rest);
    } else {
      metadata[k] = value;  // message, version, server_instance, the caller's own fields
    }
  }
  row.metadata = without_nul_escapes(util::json::serialize(metadata));
  return &row;
}

}  // namespace pend::sinks
