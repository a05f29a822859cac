// The record parsers of import-legacy: one JSON record of the old server's files in, the
// normalised row for its table out, or the reason it cannot be one. Pure functions over a
// parsed value (no database, no clock but the one given): the fuzz target drives them with
// whatever bytes it likes. The accepted shapes are docs/development/legacy-import.md's.
//
//   RecordParser parser({.default_region = "GB", .pepper = pepper, .now = now});
//   auto wallet = parser.wallet(*record.value, record.key);
//   if (auto* reject = std::get_if<Reject>(&wallet)) ... reject->reason ...
#pragma once

#include "domain/auth/phone.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pend::legacy {

using Micros = std::chrono::sys_time<std::chrono::microseconds>;

struct Reject {
  std::string reason;  // a stable snake_case code: invalid_phone, missing_timestamp...
  std::string detail;  // a sentence; never the record's personal data
};

struct WalletRow {
  std::string phone_hash;  // 64 hex
  std::string masked;      // +44*******123, for rejects and logs
  std::string address;     // EIP-55
  std::string country;     // ISO 3166 alpha-2
  std::optional<Micros> created_at;
  int tier = 0;
  std::string status = "active";
  std::optional<std::string> email;
};

struct LogRow {
  Micros timestamp{};
  std::string level = "info";
  std::string category = "GENERAL";
  std::string event_type = "LEGACY_LOG";
  std::optional<std::string> ip_address, endpoint, method;
  std::optional<int> status_code, response_time_ms;
  std::string metadata;  // a JSON object's text, phone numbers masked
  std::string digest;    // SHA-256 of the normalised row (32 bytes): its identity
};

struct AdminAccountRow {
  std::string email;  // as given, trimmed
  std::string display_name;
  std::string role = "viewer";
  std::string status = "active";
  std::optional<Micros> created_at, last_login_at;
  std::optional<std::string> legacy_id;
};

struct AdminActionRow {
  Micros timestamp{};
  std::string action;
  std::optional<std::string> actor;  // an email or a legacy admin id, as given
  std::optional<std::string> resource_type, resource_id;
  std::optional<std::string> old_values, new_values;  // JSON texts
  std::optional<std::string> ip_address, user_agent, justification;
  std::string digest;  // SHA-256 of the normalised row
};

struct SettingRow {
  std::string key;    // legacy.<snake_case>
  std::string value;  // JSON text
};

struct TransactionRow;

struct BlockRow {
  std::uint64_t number = 0;
  std::string hash, parent_hash, miner;  // raw bytes
  Micros timestamp{};
  std::string gas_used = "0", gas_limit = "0";  // decimal
  std::optional<std::string> base_fee;
  int transaction_count = 0;
  std::optional<int> size;
};

struct TransactionRow {
  std::string hash;                       // raw bytes
  std::optional<std::string> block_hash;  // raw; absent: found by block_number
  std::optional<std::uint64_t> block_number;
  std::optional<int> index;
  std::string from;                        // raw
  std::optional<std::string> to, created;  // raw
  std::string value = "0", gas = "0";      // decimal
  std::uint64_t nonce = 0;
  std::optional<std::string> gas_price, max_fee, max_priority_fee, effective_gas_price, gas_used,
      cumulative_gas_used;
  int type = 0;
  std::optional<int> status;
  std::string input;  // raw bytes
};

struct TokenRow {
  std::string address;  // raw
  std::string type = "ERC-20";
  std::optional<std::string> name, symbol;
  std::optional<int> decimals;
  std::optional<std::string> total_supply;  // decimal
  bool tracked = false;
};

template <typename Row>
using Parsed = std::variant<Row, Reject>;

struct ParserOptions {
  std::string default_region = "GB";
  std::string pepper;
  Micros now{};  // times more than a day past it are refused
};

class RecordParser {
 public:
  explicit RecordParser(ParserOptions options);

  Parsed<WalletRow> wallet(const boost::json::value& record,
                           std::optional<std::string_view> key) const;
  Parsed<LogRow> log(const boost::json::value& record) const;
  Parsed<AdminAccountRow> admin_account(const boost::json::value& record) const;
  Parsed<AdminActionRow> admin_action(const boost::json::value& record) const;
  Parsed<SettingRow> setting(const boost::json::value& record,
                             std::optional<std::string_view> key) const;
  // A block and the transaction objects it embeds (each parsed on its own: one that is not
  // valid is a reject of its own, the block still counts).
  Parsed<BlockRow> block(const boost::json::value& record,
                         std::vector<Parsed<TransactionRow>>* embedded = nullptr) const;
  Parsed<TransactionRow> transaction(const boost::json::value& record) const;
  Parsed<TokenRow> token(const boost::json::value& record,
                         std::optional<std::string_view> key) const;

  // The text with every phone number in it masked (+44*******123): runs of 8-15 digits,
  // with + and separators, that libphonenumber takes for a valid number.
  std::string mask_phones(std::string_view text) const;
  // A wallet file's key in a reject: masked when it is a phone number, else "(key)".
  std::string masked_key(std::string_view key) const;

 private:
  ParserOptions options_;
  domain::auth::PhoneNumbers phones_;
};

// Time text or number as the accepted shapes allow (ISO 8601, epoch seconds or
// milliseconds), or nullopt.
std::optional<Micros> parse_time(const boost::json::value& value);

}  // namespace pend::legacy
