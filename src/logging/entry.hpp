// Entry: a log event with the typed fields of a server_logs row, for the code base's richer
// events; Logger::log(entry) formats it in the plan's entry format. request_data,
// response_data and metadata are redacted by field name (authorization, cookies, passwords,
// OTP codes, tokens, secrets, phone numbers) and truncated to LoggerOptions::max_data_bytes
// before any sink sees them. The helpers below are the plan's perf, security and business.
//
//   logging::Entry e{.level = Level::warn, .category = "AUTH", .event_type = "LOGIN_FAILED",
//                    .message = "wrong password"};
//   e.user_id = id; e.ip_address = ip; e.request_data = &body;
//   logger.log(e);
#pragma once

#include "logging/record.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::logging {

struct Entry {
  Level level = Level::info;
  std::string_view category = "GENERAL";  // API, BLOCKCHAIN, AUTH, KYC, ADMIN, SECURITY, ...
  std::string_view event_type;
  std::string_view message;
  std::string_view user_id;
  std::string_view admin_id;
  std::string_view session_id;
  std::string_view request_id;
  std::string_view correlation_id;
  std::string_view ip_address;
  std::string_view user_agent;
  std::string_view endpoint;  // the route template
  std::string_view method;
  std::optional<int> status_code;
  std::optional<double> response_time_ms;  // adds the plan's performance object
  std::optional<std::int64_t> request_size_bytes;
  std::optional<std::int64_t> response_size_bytes;
  std::string_view error_code;
  std::string_view error_message;
  std::string_view error_stack;
  const boost::json::value* request_data = nullptr;
  const boost::json::value* response_data = nullptr;
  const boost::json::value* metadata = nullptr;
};

// A copy of value with every field whose name marks a secret replaced by "[REDACTED]", at
// any depth.
boost::json::value redacted(const boost::json::value& value);
bool is_secret_field(std::string_view name);
// The JSON text of value redacted, or a string preview marked as truncated when its text is
// longer than limit bytes.
std::string redacted_json(const boost::json::value& value, std::size_t limit);

// The plan's helpers, through the global logger.
// perf: category PERFORMANCE, the duration since started; slow > 1000 ms and very slow
// > 5000 ms are flagged (and logged at warn).
void perf(std::string_view event_type, std::string_view message,
          std::chrono::steady_clock::time_point started, Entry extra = {});
// security: warn, category SECURITY, event type SECURITY_<event>.
void security(std::string_view event, std::string_view message, Entry extra = {});
// business: info, category BUSINESS.
void business(std::string_view event_type, std::string_view message, Entry extra = {});

}  // namespace pend::logging
