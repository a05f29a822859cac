#include "legacy/records.hpp"

#include "chain/quantity.hpp"
#include "legacy/record_stream.hpp"
#include "security/digest.hpp"
#include "security/evm_address.hpp"
#include "util/hex.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace pend::legacy {

namespace json = boost::json;

namespace {

using namespace std::chrono_literals;

// A record's members by normalised name, for lookups by alias.
class Fields {
 public:
  explicit Fields(const json::object& object) {
    entries_.reserve(object.size());
    for (const auto& member : object) {
      entries_.push_back({normalise_name(member.key()), member.key(), &member.value()});
    }
  }

  // The first alias present (and not null); marks it used.
  const json::value* find(std::initializer_list<std::string_view> aliases) {
    for (const auto alias : aliases) {
      for (auto& e : entries_) {
        if (e.name == alias && !e.value->is_null()) {
          e.used = true;
          return e.value;
        }
      }
    }
    return nullptr;
  }
  // Marks every member of these names used, without reading it.
  void drop(std::initializer_list<std::string_view> aliases) {
    for (const auto alias : aliases) {
      for (auto& e : entries_) {
        if (e.name == alias) e.used = true;
      }
    }
  }

  template <typename F>
  void each_unused(F&& f) const {
    for (const auto& e : entries_) {
      if (!e.used) f(e.original, *e.value);
    }
  }

 private:
  struct Entry {
    std::string name;
    std::string_view original;
    const json::value* value;
    bool used = false;
  };
  std::vector<Entry> entries_;
};

Reject reject(std::string reason, std::string detail) {
  return Reject{std::move(reason), std::move(detail)};
}

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A string as itself; a number as its text; anything else nullopt.
std::optional<std::string> text_of(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string{v->get_string()};
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return std::nullopt;
}

std::optional<bool> bool_of(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  if (v->is_int64() && (v->get_int64() == 0 || v->get_int64() == 1)) return v->get_int64() == 1;
  if (v->is_uint64() && v->get_uint64() <= 1) return v->get_uint64() == 1;
  if (v->is_string()) {
    const auto t = lower(trim(v->get_string()));
    if (t == "true" || t == "yes" || t == "1") return true;
    if (t == "false" || t == "no" || t == "0") return false;
  }
  return std::nullopt;
}

// An integer: a JSON number without fraction, decimal digits (a leading '-' allowed) or 0x hex.
std::optional<std::int64_t> int_of(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(v->get_uint64());
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (std::trunc(d) != d || std::fabs(d) > 9e15) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  if (!v->is_string()) return std::nullopt;
  const std::string_view t = trim(v->get_string());
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    const auto q = chain::quantity_u64(std::string{"0x"}.append(t.substr(2)));
    if (!q || *q > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(*q);
  }
  std::int64_t out = 0;
  const auto* end = t.data() + t.size();
  const auto [p, ec] = std::from_chars(t.data(), end, out);
  if (ec != std::errc{} || p != end || t.empty()) return std::nullopt;
  return out;
}

// An unsigned integer up to 256 bits as decimal text: a JSON number, digits or 0x hex.
std::optional<std::string> u256_of(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) {
    if (v->get_int64() < 0) return std::nullopt;
    return std::to_string(v->get_int64());
  }
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_double()) {
    const double d = v->get_double();
    if (d < 0 || std::trunc(d) != d || d > 9e15) return std::nullopt;  // exact only
    return std::to_string(static_cast<std::int64_t>(d));
  }
  if (!v->is_string()) return std::nullopt;
  const std::string_view t = trim(v->get_string());
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    const auto q = chain::U256::from_hex(t.substr(2));
    if (!q) return std::nullopt;
    return q->decimal();
  }
  if (!all_digits(t) || t.size() > 78) return std::nullopt;
  const auto q = chain::U256::from_decimal(t);
  if (!q) return std::nullopt;
  return q->decimal();
}

std::optional<std::int64_t> small_int(const json::value* v, std::int64_t lo, std::int64_t hi) {
  const auto n = int_of(v);
  if (!n || *n < lo || *n > hi) return std::nullopt;
  return n;
}

std::optional<Micros> from_epoch(std::int64_t n) {
  // 100000000000 seconds is the year 5138; as milliseconds, 1973. Past the year 5138 in
  // milliseconds too: no time at all.
  if (n < 0 || n >= 100'000'000'000'000LL) return std::nullopt;
  if (n >= 100'000'000'000LL) return Micros{std::chrono::milliseconds{n}};
  return Micros{std::chrono::seconds{n}};
}

// EVM bytes: "0x" + hex (or the hex alone), exactly size bytes when size > 0.
std::optional<std::string> bytes_of(const json::value* v, std::size_t size) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  std::string_view t = trim(v->get_string());
  if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  if (t.size() % 2 != 0 || (size > 0 && t.size() != size * 2)) return std::nullopt;
  return util::from_hex(t);
}

// An address: 0x + 40 hex digits or the digits alone; mixed case only with its checksum.
std::variant<security::Address, Reject> address_of(const json::value* v, std::string_view what) {
  if (v == nullptr)
    return reject("missing_" + std::string{what}, "the record has no " + std::string{what});
  if (!v->is_string())
    return reject("invalid_" + std::string{what}, std::string{what} + " is not a string");
  std::string text{trim(v->get_string())};
  if (text.size() == 40) text.insert(0, "0x");
  if (text.size() == 42 && text[1] == 'X') text[1] = 'x';
  security::AddressProblem problem{};
  const auto parsed = security::parse_address(text, &problem);
  if (parsed) return *parsed;
  if (problem == security::AddressProblem::checksum)
    return reject("bad_checksum",
                  std::string{what} + " is in mixed case but its EIP-55 checksum is wrong");
  return reject("invalid_" + std::string{what},
                std::string{what} + " is not 0x and 40 hexadecimal digits");
}

std::string raw(const security::Address& a) {
  return {reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size()};
}

// Upper case, [A-Z0-9_] only, at most max characters.
std::string upper_code(std::string_view text, std::size_t max) {
  std::string out;
  for (const char c : text) {
    if (out.size() == max) break;
    if (c >= 'a' && c <= 'z') {
      out.push_back(static_cast<char>(c - 'a' + 'A'));
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// The first max characters of UTF-8 text, not cutting a character.
std::string prefix_utf8(std::string_view text, std::size_t max) {
  std::size_t chars = 0, at = 0;
  while (at < text.size() && chars < max) {
    const auto c = static_cast<unsigned char>(text[at]);
    at += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++chars;
  }
  return std::string{text.substr(0, std::min(at, text.size()))};
}

std::string sha256_raw(std::string_view text) {
  return util::from_hex(security::sha256_hex(text)).value_or(std::string{});
}

void append_time(std::string& out, Micros t) {
  out += util::format_rfc3339(t, util::TimePrecision::microseconds);
}

}  // namespace

std::optional<Micros> parse_time(const json::value& value) {
  if (value.is_int64() || value.is_uint64() || value.is_double()) {
    const auto n = int_of(&value);
    if (!n || *n < 0) return std::nullopt;
    return from_epoch(*n);
  }
  if (!value.is_string()) return std::nullopt;
  const std::string_view t = trim(value.get_string());
  if (all_digits(t)) return t.size() <= 16 ? from_epoch(std::stoll(std::string{t})) : std::nullopt;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    const auto q = chain::quantity_u64(std::string{"0x"}.append(t.substr(2)));
    if (!q || *q > 100'000'000'000ULL) return std::nullopt;
    return from_epoch(static_cast<std::int64_t>(*q));
  }
  std::string text{t};
  if (text.size() == 10) text += "T00:00:00Z";  // a date alone: midnight UTC
  if (text.size() >= 19) {
    const char last = text.back();
    if (last >= '0' && last <= '9') {
      // No zone: UTC (unless the tail is an offset without a colon, +0200).
      const auto sign = text.find_last_of("+-");
      const std::size_t tail = sign != std::string::npos && sign >= 19 ? text.size() - sign : 0;
      if (tail == 5) {
        text.insert(text.size() - 2, ":");
      } else if (tail != 6 || text[sign + 3] != ':') {
        text += 'Z';
      }
    }
  }
  const auto parsed = util::parse_rfc3339(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

RecordParser::RecordParser(ParserOptions options)
    : options_(std::move(options)), phones_(options_.default_region) {}

namespace {

// A time field: absent (nullopt inside), or a reject when present but not a sensible time.
std::variant<std::optional<Micros>, Reject> time_field(const json::value* v, Micros now,
                                                       std::string_view what) {
  if (v == nullptr) return std::optional<Micros>{};
  const auto t = parse_time(*v);
  // 2000-01-01: nothing the old server wrote is older; a day ahead: clock skew at most.
  static const Micros earliest = Micros{std::chrono::seconds{946'684'800}};
  if (!t || *t < earliest || *t > now + 24h)
    return reject("invalid_time", std::string{what} + " is not a time between 2000 and now");
  return t;
}

}  // namespace

Parsed<WalletRow> RecordParser::wallet(const json::value& record,
                                       std::optional<std::string_view> key) const {
  WalletRow row;
  const json::value* phone_value = nullptr;
  const json::value* address_value = nullptr;
  std::optional<Fields> fields;
  if (record.is_string()) {
    address_value = &record;
  } else if (record.is_object()) {
    fields.emplace(record.get_object());
    phone_value = fields->find({"phone", "phonenumber", "mobile", "msisdn", "number"});
    address_value =
        fields->find({"address", "walletaddress", "wallet", "blockchainaddress", "account"});
  } else {
    return reject("not_a_record", "a wallet record is an address string or an object");
  }
  std::string phone_text;
  if (phone_value != nullptr) {
    const auto t = text_of(phone_value);
    if (!t) return reject("invalid_phone", "the phone number is not text");
    phone_text = *t;
  } else if (key) {
    phone_text = std::string{*key};
  } else {
    return reject("missing_phone", "the record has no phone number");
  }
  domain::auth::PhoneProblem problem{};
  const auto phone = phones_.parse(phone_text, &problem);
  if (!phone) {
    return reject("invalid_phone", problem == domain::auth::PhoneProblem::not_mobile
                                       ? "the phone number is not a mobile number"
                                       : "the phone number is not a valid number");
  }
  row.masked = phone->masked();
  row.phone_hash = domain::auth::phone_hash(options_.pepper, *phone);
  row.country = phone->region;
  const auto address = address_of(address_value, "address");
  if (const auto* r = std::get_if<Reject>(&address)) return *r;
  row.address = std::get<security::Address>(address).checksummed();
  if (!fields) return row;

  const auto created =
      time_field(fields->find({"createdat", "created", "registeredat", "registrationdate",
                               "joinedat", "timestamp", "date"}),
                 options_.now, "the creation date");
  if (const auto* r = std::get_if<Reject>(&created)) return *r;
  row.created_at = std::get<std::optional<Micros>>(created);
  if (const auto* tier = fields->find({"tier", "kyctier", "level", "kyclevel"})) {
    const auto t = small_int(tier, 0, 5);
    if (!t) return reject("invalid_tier", "the tier is not a whole number from 0 to 5");
    row.tier = static_cast<int>(*t);
  }
  if (const auto* status = fields->find({"status"})) {
    const auto s = status->is_string() ? lower(trim(status->get_string())) : std::string{};
    if (s == "active" || s == "suspended" || s == "closed") {
      row.status = s;
    } else if (s == "blocked" || s == "banned") {
      row.status = "suspended";
    } else if (s == "deleted") {
      row.status = "closed";
    } else {
      return reject("invalid_status", "the status is not active, suspended or closed");
    }
  } else if (const auto* active = fields->find({"active", "isactive", "enabled"})) {
    const auto b = bool_of(active);
    if (!b) return reject("invalid_status", "the active flag is not a boolean");
    row.status = *b ? "active" : "suspended";
  }
  if (const auto* email = fields->find({"email"}); email != nullptr && email->is_string()) {
    const auto e = trim(email->get_string());
    if (e.find('@') != std::string_view::npos && e.size() <= 255) row.email = std::string{e};
  }
  return row;
}

std::string RecordParser::masked_key(std::string_view key) const {
  if (const auto phone = phones_.parse(key)) return phone->masked();
  // Not a number codes can go to, but maybe a number still: every digit but the last three
  // hidden, whatever it is.
  std::size_t digits = 0;
  for (const char c : key) digits += (c >= '0' && c <= '9') ? 1 : 0;
  std::string out;
  for (const char c : key) {
    const bool digit = c >= '0' && c <= '9';
    out.push_back(digit && digits-- > 3 ? '*' : c);
  }
  return out;
}

std::string RecordParser::mask_phones(std::string_view text) const {
  // Candidates: a run that starts with + or a group of two or more digits, and goes on over
  // digits and the separators people write numbers with. The longest part of it (whole
  // digit groups, 8 to 15 digits) that libphonenumber takes for a mobile number is masked;
  // when none is, the first group is left as it is and the next one is tried.
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  // (Not '.': an IP address or a decimal is not a phone number.)
  const auto is_sep = [](char c) { return c == ' ' || c == '-' || c == '(' || c == ')'; };
  const auto is_word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  constexpr std::size_t kTries = 4;  // parses per starting group, at most
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const std::size_t first = i + (c == '+' ? 1 : 0);
    const bool starts = (c == '+' || is_digit(c)) && (i == 0 || !is_word(text[i - 1])) &&
                        first + 1 < text.size() && is_digit(text[first]) &&
                        is_digit(text[first + 1]);
    if (!starts) {
      out.push_back(c);
      ++i;
      continue;
    }
    // The ends of the run's digit groups, and the digits up to each; no more than 15 digits.
    std::vector<std::pair<std::size_t, std::size_t>> ends;
    std::size_t digits = 0;
    for (std::size_t j = first; j < text.size() && (is_digit(text[j]) || is_sep(text[j])); ++j) {
      if (!is_digit(text[j])) continue;
      if (++digits > 15) break;
      if (j + 1 == text.size() || !is_digit(text[j + 1])) ends.emplace_back(j + 1, digits);
    }
    bool masked = false;
    std::size_t tries = 0;
    for (auto e = ends.rbegin(); e != ends.rend() && tries < kTries; ++e) {
      if (e->second < 8) break;
      if (e->first < text.size() && is_word(text[e->first])) continue;
      ++tries;
      if (const auto phone = phones_.parse(text.substr(i, e->first - i))) {
        out += phone->masked();
        i = e->first;
        masked = true;
        break;
      }
    }
    if (masked) continue;
    const std::size_t group_end = ends.empty() ? i + 1 : ends.front().first;
    out.append(text.substr(i, group_end - i));
    i = group_end;
  }
  return out;
}

namespace {

// A JSON value with every string in it (keys too) passed through mask.
template <typename Mask>
json::value masked_value(const json::value& v, const Mask& mask) {
  switch (v.kind()) {
    case json::kind::string:
      return json::value(mask(v.get_string()));
    case json::kind::array: {
      json::array out;
      for (const auto& e : v.get_array()) out.push_back(masked_value(e, mask));
      return out;
    }
    case json::kind::object: {
      json::object out;
      for (const auto& [k, e] : v.get_object()) out[mask(k)] = masked_value(e, mask);
      return out;
    }
    case json::kind::int64:
    case json::kind::uint64: {
      // A phone number kept as a JSON number: masked like one in text.
      const std::string digits =
          v.is_int64() ? std::to_string(v.get_int64()) : std::to_string(v.get_uint64());
      const std::string out = mask(digits);
      return out == digits ? json::value(v, {}) : json::value(out);
    }
    case json::kind::double_: {
      const double d = v.get_double();
      if (std::trunc(d) != d || std::fabs(d) >= 1e16) return json::value(v, {});
      const std::string digits = std::to_string(static_cast<std::int64_t>(d));
      const std::string out = mask(digits);
      return out == digits ? json::value(v, {}) : json::value(out);
    }
    default:
      return json::value(v, {});
  }
}

std::string level_of(std::string_view given, bool* known) {
  const auto l = lower(trim(given));
  *known = true;
  if (l == "error" || l == "err" || l == "fatal" || l == "critical" || l == "crit" ||
      l == "emerg" || l == "emergency" || l == "alert")
    return "error";
  if (l == "warn" || l == "warning") return "warn";
  if (l == "info" || l == "information" || l == "notice" || l == "log" || l == "http")
    return "info";
  if (l == "debug" || l == "verbose") return "debug";
  if (l == "trace" || l == "silly") return "trace";
  *known = false;
  return "info";
}

constexpr std::array<std::string_view, 9> kCategories = {
    "API", "BLOCKCHAIN", "AUTH", "KYC", "ADMIN", "SECURITY", "PERFORMANCE", "BUSINESS", "GENERAL"};

}  // namespace

Parsed<LogRow> RecordParser::log(const json::value& record) const {
  if (!record.is_object()) return reject("not_an_object", "a log entry is a JSON object");
  Fields fields(record.get_object());
  LogRow row;
  const auto* at = fields.find({"timestamp", "time", "date", "ts", "@timestamp", "createdat"});
  if (at == nullptr) return reject("missing_timestamp", "the log entry has no timestamp");
  const auto t = time_field(at, options_.now, "the timestamp");
  if (const auto* r = std::get_if<Reject>(&t)) return *r;
  row.timestamp = *std::get<std::optional<Micros>>(t);
  const auto mask = [this](std::string_view s) { return mask_phones(s); };
  json::object metadata;
  if (const auto* level = fields.find({"level", "severity"}); level != nullptr) {
    bool known = false;
    const auto given = text_of(level).value_or("");
    row.level = level_of(given, &known);
    if (!known) metadata["legacy_level"] = mask(given);
  }
  if (const auto* message = fields.find({"message", "msg", "text", "description"})) {
    metadata["message"] = masked_value(*message, mask);
  }
  if (const auto* category = fields.find({"category", "module", "component"})) {
    const auto c = upper_code(text_of(category).value_or(""), 50);
    if (std::find(kCategories.begin(), kCategories.end(), c) != kCategories.end()) {
      row.category = c;
    } else {
      metadata["legacy_category"] = masked_value(*category, mask);
    }
  }
  if (const auto* event = fields.find({"eventtype", "event", "type", "action"})) {
    const auto e = upper_code(mask(text_of(event).value_or("")), 50);
    if (!e.empty()) row.event_type = e;
  }
  if (const auto* ip = fields.find({"ip", "ipaddress", "clientip"}); ip && ip->is_string()) {
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(std::string{trim(ip->get_string())}, ec);
    if (!ec) {
      row.ip_address = parsed.to_string();
    } else {
      metadata["ip"] = mask(ip->get_string());
    }
  }
  if (const auto* endpoint = fields.find({"endpoint", "path", "url"}); endpoint) {
    if (const auto e = text_of(endpoint)) row.endpoint = prefix_utf8(mask(*e), 255);
  }
  if (const auto* method = fields.find({"method"}); method && method->is_string()) {
    const auto m = upper_code(method->get_string(), 10);
    if (m == "GET" || m == "POST" || m == "PUT" || m == "DELETE" || m == "PATCH" ||
        m == "OPTIONS") {
      row.method = m;
    } else {
      metadata["method"] = mask(method->get_string());
    }
  }
  if (const auto* status = fields.find({"statuscode", "status"})) {
    if (const auto s = small_int(status, 100, 599)) {
      row.status_code = static_cast<int>(*s);
    } else {
      metadata["status"] = masked_value(*status, mask);
    }
  }
  if (const auto* ms = fields.find({"responsetime", "responsetimems", "durationms", "duration"})) {
    if (ms->is_number()) {
      const double d = ms->to_number<double>();
      if (d >= 0 && d < 2e9) row.response_time_ms = static_cast<int>(d);
    } else if (const auto n = small_int(ms, 0, 2'000'000'000)) {
      row.response_time_ms = static_cast<int>(*n);  // "250"
    }
    if (!row.response_time_ms) metadata["response_time"] = masked_value(*ms, mask);
  }
  fields.each_unused([&](std::string_view name, const json::value& value) {
    metadata[mask(name)] = masked_value(value, mask);
  });
  metadata["legacy"] = true;
  row.metadata = util::json::serialize(metadata);
  // Identity: every column, in order.
  std::string canonical = "pend-legacy-log-v1\n";
  append_time(canonical, row.timestamp);
  for (const auto* part : {&row.level, &row.category, &row.event_type, &row.metadata}) {
    canonical += '\n';
    canonical += *part;
  }
  for (const auto* part : {&row.ip_address, &row.endpoint, &row.method}) {
    canonical += '\n';
    canonical += part->value_or("\x01");
  }
  canonical += '\n';
  canonical += row.status_code ? std::to_string(*row.status_code) : "\x01";
  canonical += '\n';
  canonical += row.response_time_ms ? std::to_string(*row.response_time_ms) : "\x01";
  row.digest = sha256_raw(canonical);
  return row;
}

Parsed<AdminAccountRow> RecordParser::admin_account(const json::value& record) const {
  if (!record.is_object()) return reject("not_an_object", "an admin account is a JSON object");
  Fields fields(record.get_object());
  AdminAccountRow row;
  // The old credentials are never carried over.
  fields.drop({"password", "passwordhash", "hash", "totpsecret", "totp", "mfasecret", "secret",
               "twofactorsecret"});
  std::optional<std::string> email;
  for (const auto alias : {"email", "mail", "username", "login"}) {
    const auto* v = fields.find({alias});
    if (v != nullptr && v->is_string() && v->get_string().find('@') != json::string::npos) {
      email = std::string{trim(v->get_string())};
      break;
    }
  }
  if (!email || email->size() > 255 || email->front() == '@')
    return reject("missing_email", "the admin account has no email address");
  row.email = *email;
  if (const auto* name = fields.find({"displayname", "name", "fullname", "username"});
      name && name->is_string() && !trim(name->get_string()).empty()) {
    row.display_name = prefix_utf8(trim(name->get_string()), 100);
  } else {
    row.display_name = prefix_utf8(row.email.substr(0, row.email.find('@')), 100);
  }
  if (const auto* role = fields.find({"role"})) {
    const auto r = lower(trim(text_of(role).value_or("")));
    if (r == "superadmin" || r == "super_admin" || r == "super admin" || r == "owner" ||
        r == "root") {
      row.role = "superadmin";
    } else if (r == "admin" || r == "administrator") {
      row.role = "admin";
    } else if (r == "compliance" || r == "kyc") {
      row.role = "compliance";
    } else if (r == "support" || r == "operator" || r == "moderator") {
      row.role = "support";
    } else if (r == "viewer" || r == "readonly" || r == "read_only" || r == "analyst") {
      row.role = "viewer";
    } else {
      return reject("invalid_role", "the role is not one the new server knows");
    }
  }
  if (const auto* status = fields.find({"status"})) {
    const auto s = lower(trim(text_of(status).value_or("")));
    if (s != "active" && s != "suspended" && s != "disabled")
      return reject("invalid_status", "the status is not active, suspended or disabled");
    row.status = s;
  } else if (const auto* active = fields.find({"active", "isactive", "enabled"})) {
    const auto b = bool_of(active);
    if (!b) return reject("invalid_status", "the active flag is not a boolean");
    row.status = *b ? "active" : "disabled";
  }
  const auto created =
      time_field(fields.find({"createdat", "created"}), options_.now, "the creation date");
  if (const auto* r = std::get_if<Reject>(&created)) return *r;
  row.created_at = std::get<std::optional<Micros>>(created);
  const auto last =
      time_field(fields.find({"lastloginat", "lastlogin"}), options_.now, "the last sign-in");
  if (const auto* r = std::get_if<Reject>(&last)) return *r;
  row.last_login_at = std::get<std::optional<Micros>>(last);
  row.legacy_id = text_of(fields.find({"id", "adminid", "_id"}));
  return row;
}

Parsed<AdminActionRow> RecordParser::admin_action(const json::value& record) const {
  if (!record.is_object()) return reject("not_an_object", "an admin action is a JSON object");
  Fields fields(record.get_object());
  AdminActionRow row;
  const auto action = text_of(fields.find({"action", "type", "event", "actiontype"}));
  if (!action || trim(*action).empty())
    return reject("missing_action", "the admin action does not say what was done");
  const auto mask = [this](std::string_view s) { return mask_phones(s); };
  row.action = prefix_utf8(mask(trim(*action)), 100);
  const auto* at = fields.find({"timestamp", "time", "date", "createdat", "performedat"});
  if (at == nullptr) return reject("missing_timestamp", "the admin action has no timestamp");
  const auto t = time_field(at, options_.now, "the timestamp");
  if (const auto* r = std::get_if<Reject>(&t)) return *r;
  row.timestamp = *std::get<std::optional<Micros>>(t);
  row.actor = text_of(
      fields.find({"adminemail", "admin", "adminid", "performedby", "by", "actor", "user"}));
  if (row.actor) row.actor = prefix_utf8(*row.actor, 255);
  if (const auto v = text_of(fields.find({"resourcetype", "targettype", "resource", "entity"})))
    row.resource_type = prefix_utf8(mask(*v), 50);
  if (const auto v =
          text_of(fields.find({"resourceid", "targetid", "target", "entityid", "userid"})))
    row.resource_id = prefix_utf8(mask(*v), 255);
  const auto values = [&](const json::value* v) -> std::optional<std::string> {
    if (v == nullptr) return std::nullopt;
    if (v->is_object()) return util::json::serialize(masked_value(*v, mask));
    json::object wrapped;
    wrapped["value"] = masked_value(*v, mask);
    return util::json::serialize(wrapped);
  };
  row.old_values = values(fields.find({"oldvalues", "before", "previous"}));
  row.new_values = values(fields.find({"newvalues", "after", "changes", "details", "data"}));
  if (const auto* ip = fields.find({"ip", "ipaddress"}); ip && ip->is_string()) {
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(std::string{trim(ip->get_string())}, ec);
    if (!ec) row.ip_address = parsed.to_string();
  }
  if (const auto v = text_of(fields.find({"useragent"}))) row.user_agent = prefix_utf8(*v, 1000);
  if (const auto v = text_of(fields.find({"reason", "justification", "note", "comment"})))
    row.justification = mask(*v);
  std::string canonical = "pend-legacy-admin-action-v1\n";
  append_time(canonical, row.timestamp);
  canonical += '\n';
  canonical += row.action;
  for (const auto* part : {&row.actor, &row.resource_type, &row.resource_id, &row.old_values,
                           &row.new_values, &row.ip_address, &row.user_agent, &row.justification}) {
    canonical += '\n';
    canonical += part->value_or("\x01");
  }
  row.digest = sha256_raw(canonical);
  return row;
}

Parsed<SettingRow> RecordParser::setting(const json::value& record,
                                         std::optional<std::string_view> key) const {
  std::string name;
  const json::value* value = &record;
  if (key) {
    name = std::string{*key};
  } else if (record.is_object()) {
    const auto& object = record.get_object();
    const auto* k = object.if_contains("key");
    if (k == nullptr) k = object.if_contains("name");
    value = object.if_contains("value");
    if (k == nullptr || !k->is_string() || value == nullptr)
      return reject("not_a_setting", "a setting is a member name and value, or {key, value}");
    name = std::string{k->get_string()};
  } else {
    return reject("not_a_setting", "a setting is a member name and value, or {key, value}");
  }
  // camelCase and kebab-case to snake_case.
  std::string snake = "legacy.";
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0 && snake.back() != '_' && snake.back() != '.') snake.push_back('_');
      snake.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') {
      snake.push_back(c);
    } else if (snake.back() != '_') {
      snake.push_back('_');
    }
  }
  const bool alphanumeric = std::any_of(snake.begin() + 7, snake.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
  if (!alphanumeric || snake.size() > 100 || snake.back() == '.')
    return reject("invalid_key", "the setting's name does not make a configuration key");
  SettingRow row;
  row.key = std::move(snake);
  row.value = util::json::serialize(
      masked_value(*value, [this](std::string_view s) { return mask_phones(s); }));
  return row;
}

Parsed<BlockRow> RecordParser::block(const json::value& record,
                                     std::vector<Parsed<TransactionRow>>* embedded) const {
  if (!record.is_object()) return reject("not_an_object", "a block is a JSON object");
  Fields fields(record.get_object());
  BlockRow row;
  const auto number = int_of(fields.find({"number", "blocknumber", "height"}));
  if (!number || *number < 0) return reject("invalid_number", "the block has no valid number");
  row.number = static_cast<std::uint64_t>(*number);
  const auto hash = bytes_of(fields.find({"hash", "blockhash"}), 32);
  if (!hash) return reject("invalid_hash", "the block hash is not 32 bytes of hex");
  row.hash = *hash;
  const auto parent = bytes_of(fields.find({"parenthash", "parent"}), 32);
  if (!parent) return reject("invalid_parent_hash", "the parent hash is not 32 bytes of hex");
  row.parent_hash = *parent;
  const auto* at = fields.find({"timestamp", "time"});
  if (at == nullptr) return reject("missing_timestamp", "the block has no timestamp");
  const auto t = time_field(at, options_.now, "the timestamp");
  if (const auto* r = std::get_if<Reject>(&t)) return *r;
  row.timestamp = *std::get<std::optional<Micros>>(t);
  const auto miner = bytes_of(fields.find({"miner", "coinbase", "author"}), 20);
  if (!miner) return reject("invalid_miner", "the miner is not an address");
  row.miner = *miner;
  if (const auto* v = fields.find({"gasused"})) {
    const auto g = u256_of(v);
    if (!g) return reject("invalid_quantity", "gasUsed is not an unsigned integer");
    row.gas_used = *g;
  }
  if (const auto* v = fields.find({"gaslimit"})) {
    const auto g = u256_of(v);
    if (!g) return reject("invalid_quantity", "gasLimit is not an unsigned integer");
    row.gas_limit = *g;
  }
  if (const auto* v = fields.find({"basefeepergas", "basefee"})) {
    row.base_fee = u256_of(v);
    if (!row.base_fee) return reject("invalid_quantity", "baseFeePerGas is not an integer");
  }
  if (const auto* v = fields.find({"size"})) {
    const auto s = small_int(v, 0, std::numeric_limits<std::int32_t>::max());
    if (!s) return reject("invalid_quantity", "size is not an integer");
    row.size = static_cast<int>(*s);
  }
  const auto* transactions = fields.find({"transactions", "txs"});
  if (const auto* count = fields.find({"transactioncount", "txcount"})) {
    const auto c = small_int(count, 0, 1'000'000);
    if (!c) return reject("invalid_quantity", "transactionCount is not an integer");
    row.transaction_count = static_cast<int>(*c);
  } else if (transactions != nullptr && transactions->is_array()) {
    row.transaction_count = static_cast<int>(transactions->get_array().size());
  }
  if (embedded != nullptr && transactions != nullptr && transactions->is_array()) {
    int position = 0;
    for (const auto& tx : transactions->get_array()) {
      if (tx.is_object()) {
        auto parsed = transaction(tx);
        if (auto* t2 = std::get_if<TransactionRow>(&parsed)) {
          if (!t2->block_hash) t2->block_hash = row.hash;
          if (!t2->block_number) t2->block_number = row.number;
          if (!t2->index) t2->index = position;
        }
        embedded->push_back(std::move(parsed));
      }
      ++position;
    }
  }
  return row;
}

Parsed<TransactionRow> RecordParser::transaction(const json::value& record) const {
  if (!record.is_object()) return reject("not_an_object", "a transaction is a JSON object");
  Fields fields(record.get_object());
  TransactionRow row;
  const auto hash = bytes_of(fields.find({"hash", "transactionhash", "txhash"}), 32);
  if (!hash) return reject("invalid_hash", "the transaction hash is not 32 bytes of hex");
  row.hash = *hash;
  if (const auto* v = fields.find({"blockhash"})) {
    row.block_hash = bytes_of(v, 32);
    if (!row.block_hash) return reject("invalid_hash", "the block hash is not 32 bytes of hex");
  }
  if (const auto* v = fields.find({"blocknumber", "block"})) {
    const auto n = int_of(v);
    if (!n || *n < 0) return reject("invalid_number", "the block number is not an integer");
    row.block_number = static_cast<std::uint64_t>(*n);
  }
  if (const auto* v = fields.find({"transactionindex", "index"})) {
    const auto i = small_int(v, 0, 1'000'000);
    if (!i) return reject("invalid_quantity", "the transaction index is not an integer");
    row.index = static_cast<int>(*i);
  }
  const auto from = address_of(fields.find({"from", "sender"}), "from");
  if (const auto* r = std::get_if<Reject>(&from)) return *r;
  row.from = raw(std::get<security::Address>(from));
  if (const auto* v = fields.find({"to", "recipient"})) {
    const auto to = address_of(v, "to");
    if (const auto* r = std::get_if<Reject>(&to)) return *r;
    row.to = raw(std::get<security::Address>(to));
  }
  if (const auto* v = fields.find({"contractaddress", "creates"})) {
    const auto created = address_of(v, "contractAddress");
    if (const auto* r = std::get_if<Reject>(&created)) return *r;
    row.created = raw(std::get<security::Address>(created));
  }
  const auto quantity = [&](std::initializer_list<std::string_view> names,
                            std::optional<std::string>& out) -> bool {
    const auto* v = fields.find(names);
    if (v == nullptr) return true;
    out = u256_of(v);
    return out.has_value();
  };
  std::optional<std::string> value, gas;
  if (!quantity({"value"}, value) || !quantity({"gas", "gaslimit"}, gas) ||
      !quantity({"gasprice"}, row.gas_price) || !quantity({"maxfeepergas"}, row.max_fee) ||
      !quantity({"maxpriorityfeepergas"}, row.max_priority_fee) ||
      !quantity({"effectivegasprice"}, row.effective_gas_price) ||
      !quantity({"gasused"}, row.gas_used) ||
      !quantity({"cumulativegasused"}, row.cumulative_gas_used))
    return reject("invalid_quantity", "a quantity is not an unsigned integer of 256 bits");
  row.value = value.value_or("0");
  row.gas = gas.value_or("0");
  if (const auto* v = fields.find({"nonce"})) {
    const auto n = int_of(v);
    if (!n || *n < 0) return reject("invalid_quantity", "the nonce is not an integer");
    row.nonce = static_cast<std::uint64_t>(*n);
  }
  if (const auto* v = fields.find({"type"})) {
    const auto n = small_int(v, 0, 255);
    if (!n) return reject("invalid_quantity", "the type is not an integer from 0 to 255");
    row.type = static_cast<int>(*n);
  }
  if (const auto* v = fields.find({"status", "success"})) {
    if (const auto b = bool_of(v)) {
      row.status = *b ? 1 : 0;
    } else if (v->is_string()) {
      const auto s = lower(trim(v->get_string()));
      if (s == "success" || s == "ok" || s == "0x1") row.status = 1;
      if (s == "failed" || s == "fail" || s == "reverted" || s == "0x0") row.status = 0;
    }
    if (!row.status) return reject("invalid_status", "the status is not 1 or 0");
  }
  if (const auto* v = fields.find({"input", "data"})) {
    const auto bytes = bytes_of(v, 0);
    if (!bytes) return reject("invalid_input", "the input is not hex bytes");
    row.input = *bytes;
  }
  return row;
}

Parsed<TokenRow> RecordParser::token(const json::value& record,
                                     std::optional<std::string_view> key) const {
  if (!record.is_object()) return reject("not_an_object", "a token is a JSON object");
  Fields fields(record.get_object());
  TokenRow row;
  const json::value* address_value = fields.find({"address", "contractaddress", "contract"});
  const json::value key_value = key ? json::value(std::string{*key}) : json::value();
  if (address_value == nullptr && key) address_value = &key_value;
  const auto address = address_of(address_value, "address");
  if (const auto* r = std::get_if<Reject>(&address)) return *r;
  row.address = raw(std::get<security::Address>(address));
  if (const auto* v = fields.find({"type", "standard"})) {
    const auto t = upper_code(text_of(v).value_or(""), 20);
    if (t == "ERC20" || t == "ERC_20" || t == "20") {
      row.type = "ERC-20";
    } else if (t == "ERC721" || t == "ERC_721" || t == "721") {
      row.type = "ERC-721";
    } else if (t == "ERC1155" || t == "ERC_1155" || t == "1155") {
      row.type = "ERC-1155";
    } else {
      return reject("invalid_type", "the token type is not ERC-20, ERC-721 or ERC-1155");
    }
  }
  if (const auto v = text_of(fields.find({"name"}))) row.name = prefix_utf8(*v, 255);
  if (const auto v = text_of(fields.find({"symbol"}))) row.symbol = prefix_utf8(*v, 64);
  if (const auto* v = fields.find({"decimals"})) {
    const auto d = small_int(v, 0, 255);
    if (!d) return reject("invalid_quantity", "decimals is not an integer from 0 to 255");
    row.decimals = static_cast<int>(*d);
  }
  if (const auto* v = fields.find({"totalsupply", "supply"})) {
    row.total_supply = u256_of(v);
    if (!row.total_supply) return reject("invalid_quantity", "totalSupply is not an integer");
  }
  if (const auto* v = fields.find({"tracked", "watched", "listed"})) {
    const auto b = bool_of(v);
    if (!b) return reject("invalid_quantity", "tracked is not a boolean");
    row.tracked = *b;
  }
  return row;
}

}  // namespace pend::legacy
