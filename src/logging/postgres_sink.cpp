#include "logging/postgres_sink.hpp"

#include "db/blocking_session.hpp"
#include "db/copy_encoder.hpp"
#include "http/ids.hpp"
#include "http/router.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace pend::logging {

namespace {

// The batch is one jsonb parameter. user_id / admin_id that are not (or no longer) users
// become NULL rather than losing the row to a foreign-key error; ids already stored (a
// replay after a crash) are skipped.
constexpr const char* kInsert =
    "INSERT INTO server_logs (id, timestamp, level, category, event_type, user_id, admin_id, "
    "session_id, request_id, correlation_id, ip_address, user_agent, endpoint, method, "
    "status_code, response_time_ms, request_size_bytes, response_size_bytes, error_code, "
    "error_message, error_stack, request_data, response_data, metadata) "
    "SELECT r.id, r.timestamp, r.level, r.category, r.event_type, "
    "(SELECT u.id FROM users u WHERE u.id = r.user_id), "
    "(SELECT a.id FROM admin_users a WHERE a.id = r.admin_id), "
    "r.session_id, r.request_id, r.correlation_id, r.ip_address, r.user_agent, r.endpoint, "
    "r.method, r.status_code, r.response_time_ms, r.request_size_bytes, r.response_size_bytes, "
    "r.error_code, r.error_message, r.error_stack, r.request_data, r.response_data, "
    "COALESCE(r.metadata, '{}') "
    "FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, timestamp timestamptz, level text, "
    "category text, event_type text, user_id uuid, admin_id uuid, session_id text, "
    "request_id text, correlation_id text, ip_address inet, user_agent text, endpoint text, "
    "method text, status_code int, response_time_ms int, request_size_bytes int, "
    "response_size_bytes int, error_code text, error_message text, error_stack text, "
    "request_data jsonb, response_data jsonb, metadata jsonb) "
    "ON CONFLICT DO NOTHING";

// Fresh batches: straight in. (A replay uses kInsert, which skips rows already stored.)
constexpr const char* kCopy =
    "COPY server_logs (id, timestamp, level, category, event_type, user_id, admin_id, "
    "session_id, request_id, correlation_id, ip_address, user_agent, endpoint, method, "
    "status_code, response_time_ms, request_size_bytes, response_size_bytes, error_code, "
    "error_message, error_stack, request_data, response_data, metadata) FROM STDIN";

std::string with_connect_timeout(std::string url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += "connect_timeout=3";
  return url;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string PostgresSink::row_of(std::string_view line) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(line, ec);
  boost::json::object entry = !ec && parsed.is_object() ? std::move(parsed.as_object())
                                                        : boost::json::object{{"message", line}};
  boost::json::object row;
  boost::json::object metadata;
  row["id"] = http::new_request_id();
  auto take_text = [&](std::string_view key, std::size_t limit) {
    const auto* value = entry.if_contains(key);
    if (value != nullptr && value->is_string()) {
      row[key] = std::string_view{value->get_string()}.substr(0, limit);
    }
  };
  for (auto& [key, value] : entry) {
    const std::string_view k = key;
    if (k == "@timestamp" && value.is_string()) {
      row["timestamp"] = value;
    } else if (k == "level" && value.is_string()) {
      const auto level = lowercase(value.get_string());
      if (level == "error" || level == "warn" || level == "info" || level == "debug" ||
          level == "trace") {
        row["level"] = level;
      }
    } else if ((k == "user_id" || k == "admin_id") && value.is_string()) {
      if (http::param_accepts(http::ParamType::uuid, value.get_string())) row[k] = value;
    } else if (k == "ip_address" && value.is_string()) {
      boost::system::error_code bad;
      boost::asio::ip::make_address(std::string_view{value.get_string()}, bad);
      if (!bad) row[k] = value;
    } else if (k == "method" && value.is_string()) {
      const std::string_view m = value.get_string();
      if (m == "GET" || m == "POST" || m == "PUT" || m == "DELETE" || m == "PATCH" ||
          m == "OPTIONS") {
        row[k] = value;
      }
    } else if (k == "status_code" && value.is_int64()) {
      if (value.get_int64() >= 100 && value.get_int64() <= 599) row[k] = value;
    } else if ((k == "response_time_ms" || k == "request_size_bytes" ||
                k == "response_size_bytes") &&
               value.is_number()) {
      row[k] = std::clamp<std::int64_t>(static_cast<std::int64_t>(value.to_number<double>()), 0,
                                        2'147'483'647);
    } else if (k == "request_data" || k == "response_data") {
      row[k] = value;
    } else if (k == "metadata" && value.is_object()) {
      for (auto& [mk, mv] : value.as_object()) metadata[mk] = mv;
    } else if (k == "category" || k == "event_type" || k == "session_id" || k == "request_id" ||
               k == "correlation_id" || k == "user_agent" || k == "endpoint" || k == "error_code" ||
               k == "error_message" || k == "error_stack") {
      // text columns, below
    } else {
      metadata[k] = value;  // message, service, version, environment, performance, ...
    }
  }
  take_text("category", 50);
  take_text("event_type", 50);
  take_text("session_id", 100);
  take_text("request_id", 36);
  take_text("correlation_id", 36);
  take_text("user_agent", 4096);
  take_text("endpoint", 255);
  take_text("error_code", 50);
  take_text("error_message", 65536);
  take_text("error_stack", 65536);
  if (!row.contains("level")) row["level"] = "info";
  if (!row.contains("category")) row["category"] = "GENERAL";
  if (!row.contains("event_type")) row["event_type"] = "LOG";
  row["metadata"] = std::move(metadata);
  return boost::json::serialize(row);
}

PostgresSink::PostgresSink(PostgresSinkOptions options)
    : BatchSink({.name = "postgres",
                 .level = options.level,
                 .batch_size = options.batch_size,
                 .interval = options.interval,
                 .log_dir = options.log_dir,
                 .spool_max_bytes = options.spool_max_bytes,
                 .retry = options.retry}),
      url_(with_connect_timeout(options.url)) {
  start();
}

PostgresSink::~PostgresSink() { stop(); }

bool PostgresSink::deliver(const std::vector<std::string>& rows, bool replay) {
  if (rows.empty()) return true;
  if (!replay) {
    // A fresh batch: COPY, the fastest way in. Anything but a lost connection (a user id
    // that is no longer a user, a value the table refuses) falls back to the insert below.
    try {
      if (!session_) session_ = std::make_unique<db::BlockingSession>(url_);
      return copy(rows);
    } catch (const db::DatabaseError& error) {
      if (error.unavailable() || error.timed_out()) {
        session_.reset();
        return false;
      }
    }
  }
  return insert(rows);
}

bool PostgresSink::copy(const std::vector<std::string>& rows) {
  db::CopyEncoder data;
  for (const auto& text : rows) {
    const auto row = boost::json::parse(text).as_object();
    auto column = [&](std::string_view key) {
      const auto* value = row.if_contains(key);
      if (value == nullptr || value->is_null()) {
        data.null();
      } else if (value->is_string()) {
        data.field(std::string_view{value->get_string()});
      } else if (value->is_int64()) {
        data.field(value->get_int64());
      } else {
        data.field(boost::json::serialize(*value));  // request/response data, metadata
      }
    };
    for (const auto* key : {"id",
                            "timestamp",
                            "level",
                            "category",
                            "event_type",
                            "user_id",
                            "admin_id",
                            "session_id",
                            "request_id",
                            "correlation_id",
                            "ip_address",
                            "user_agent",
                            "endpoint",
                            "method",
                            "status_code",
                            "response_time_ms",
                            "request_size_bytes",
                            "response_size_bytes",
                            "error_code",
                            "error_message",
                            "error_stack"}) {
      column(key);
    }
    for (const auto* key : {"request_data", "response_data"}) {
      const auto* value = row.if_contains(key);
      if (value == nullptr || value->is_null()) {
        data.null();
      } else {
        data.field(boost::json::serialize(*value));  // jsonb: a string is JSON too
      }
    }
    const auto* metadata = row.if_contains("metadata");
    data.field(metadata != nullptr ? boost::json::serialize(*metadata) : std::string{"{}"});
    data.end_row();
  }
  session_->copy_in(kCopy, data.data());
  figures_.rows.fetch_add(rows.size(), std::memory_order_relaxed);
  figures_.batches.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool PostgresSink::insert(const std::vector<std::string>& rows) {
  std::string batch = "[";
  for (const auto& row : rows) {
    if (batch.size() > 1) batch += ',';
    batch += row;
  }
  batch += ']';
  try {
    if (!session_) session_ = std::make_unique<db::BlockingSession>(url_);
    session_->exec(kInsert, {batch});
    figures_.rows.fetch_add(rows.size(), std::memory_order_relaxed);
    figures_.batches.fetch_add(1, std::memory_order_relaxed);
    return true;
  } catch (const db::DatabaseError& error) {
    if (error.unavailable() || error.timed_out()) {
      session_.reset();  // reconnect on the next attempt
      return false;
    }
  }
  if (!session_) return false;
  // PostgreSQL refused the batch's data: row by row, and what it still refuses is put aside.
  for (const auto& row : rows) {
    try {
      session_->exec(kInsert, {"[" + row + "]"});
      figures_.rows.fetch_add(1, std::memory_order_relaxed);
    } catch (const db::DatabaseError& error) {
      if (error.unavailable() || error.timed_out()) {
        session_.reset();
        return false;  // the whole batch again later; stored rows are skipped by id
      }
      dead_letter(row);
    }
  }
  return true;
}

}  // namespace pend::logging
