// The old server's files as import-legacy reads them: a legacy JSON file streamed through
// RecordStream (whole, and again in chunks of a size the input picks: the same records must
// come out), each record through the parser of its kind, and every row that comes back
// checked to be one its table takes: hashes and addresses their size, EIP-55 addresses,
// decimal quantities, a JSON object for metadata with no phone number left in it.
//
//   byte 0   bits 0-2: the kind (wallet, log, admin account, admin action, setting, block,
//            transaction, token); bits 3-7: the chunk size, 4 + 7 * value
//   then     the file
#include "chain/quantity.hpp"
#include "legacy/record_stream.hpp"
#include "legacy/records.hpp"
#include "security/evm_address.hpp"
#include "util/json.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

using namespace pend;
namespace json = boost::json;

namespace {

const legacy::RecordParser& parser() {
  static const legacy::RecordParser instance(
      {.default_region = "GB",
       .pepper = "fuzz-pepper",
       .now = legacy::Micros{std::chrono::seconds{1'790'000'000}}});
  return instance;
}

void fail(int line) {
  std::fprintf(stderr, "legacy_records_fuzz: check failed at line %d\n", line);
  __builtin_trap();
}
#define check(ok) ((ok) ? (void)0 : fail(__LINE__))

bool is_decimal(const std::string& text) {
  const auto value = chain::U256::from_decimal(text);
  return value && value->decimal() == text;
}

bool is_hex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_code(const std::string& text, std::size_t max) {
  if (text.empty() || text.size() > max) return false;
  for (const char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// The text with every mask the importer writes (+, 1-3 digits, stars, 3 digits) made "PHONE".
std::string without_masks(std::string_view text) {
  std::string out;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t j = i + 1, cc = 0, stars = 0, tail = 0;
    if (text[i] == '+') {
      while (j < text.size() && digit(text[j]) && cc < 3) ++j, ++cc;
      while (j < text.size() && text[j] == '*') ++j, ++stars;
      while (j < text.size() && digit(text[j]) && tail < 3) ++j, ++tail;
    }
    if (cc > 0 && stars > 0 && tail == 3) {
      out += "PHONE";
      i = j;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

void check_transaction(const legacy::TransactionRow& t) {
  check(t.hash.size() == 32 && t.from.size() == 20);
  check(!t.block_hash || t.block_hash->size() == 32);
  check(!t.to || t.to->size() == 20);
  check(is_decimal(t.value) && is_decimal(t.gas));
  for (const auto* q : {&t.gas_price, &t.max_fee, &t.max_priority_fee, &t.effective_gas_price,
                        &t.gas_used, &t.cumulative_gas_used}) {
    check(!*q || is_decimal(**q));
  }
  check(t.type >= 0 && t.type <= 255);
  check(!t.status || *t.status == 0 || *t.status == 1);
}

void parse_one(int kind, const legacy::Record& record) {
  if (record.value == nullptr) return;
  const auto& p = parser();
  const auto& v = *record.value;
  switch (kind) {
    case 0: {
      auto r = p.wallet(v, record.key);
      if (const auto* w = std::get_if<legacy::WalletRow>(&r)) {
        check(is_hex64(w->phone_hash));
        check(security::is_checksummed(w->address));
        check(w->tier >= 0 && w->tier <= 5);
        check(w->status == "active" || w->status == "suspended" || w->status == "closed");
        check(w->masked.size() >= 4 && w->masked[0] == '+');
      }
      if (record.key) {
        // A key that is no valid number keeps at most its last three digits.
        const auto masked = p.masked_key(*record.key);
        std::size_t digits = 0;
        for (const char c : masked) digits += (c >= '0' && c <= '9') ? 1 : 0;
        check(digits <= 3 + 3);  // +44*******123: the calling code and the last three
      }
      break;
    }
    case 1: {
      auto r = p.log(v);
      if (const auto* l = std::get_if<legacy::LogRow>(&r)) {
        boost::system::error_code ec;
        const auto metadata = json::parse(l->metadata, ec);
        check(!ec && metadata.is_object());
        // Nothing left to mask: with each mask (+44*******123) taken out (its last digits
        // may make a new run with the digits after it), a second pass changes nothing.
        const auto neutral = without_masks(l->metadata);
        check(p.mask_phones(neutral) == neutral);
        check(is_code(l->category, 50) && is_code(l->event_type, 50));
        check(l->level == "error" || l->level == "warn" || l->level == "info" ||
              l->level == "debug" || l->level == "trace");
        check(l->digest.size() == 32);
        check(!l->status_code || (*l->status_code >= 100 && *l->status_code <= 599));
      }
      break;
    }
    case 2: {
      auto r = p.admin_account(v);
      if (const auto* a = std::get_if<legacy::AdminAccountRow>(&r)) {
        check(a->email.find('@') != std::string::npos && a->email.front() != '@');
        check(a->role == "viewer" || a->role == "support" || a->role == "compliance" ||
              a->role == "admin" || a->role == "superadmin");
        check(!a->display_name.empty());
      }
      break;
    }
    case 3: {
      auto r = p.admin_action(v);
      if (const auto* a = std::get_if<legacy::AdminActionRow>(&r)) {
        check(!a->action.empty() && a->digest.size() == 32);
        for (const auto* values : {&a->old_values, &a->new_values}) {
          if (!*values) continue;
          boost::system::error_code ec;
          check(json::parse(**values, ec).is_object() && !ec);
        }
      }
      break;
    }
    case 4: {
      auto r = p.setting(v, record.key);
      if (const auto* s = std::get_if<legacy::SettingRow>(&r)) {
        check(s->key.starts_with("legacy.") && s->key.size() <= 100);
        for (const char c : s->key)
          check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
        boost::system::error_code ec;
        json::parse(s->value, ec);
        check(!ec);
      }
      break;
    }
    case 5: {
      std::vector<legacy::Parsed<legacy::TransactionRow>> embedded;
      auto r = p.block(v, &embedded);
      if (const auto* b = std::get_if<legacy::BlockRow>(&r)) {
        check(b->hash.size() == 32 && b->parent_hash.size() == 32 && b->miner.size() == 20);
        check(is_decimal(b->gas_used) && is_decimal(b->gas_limit));
        check(!b->base_fee || is_decimal(*b->base_fee));
        for (const auto& tx : embedded) {
          if (const auto* t = std::get_if<legacy::TransactionRow>(&tx)) {
            check_transaction(*t);
            check(t->block_hash && t->block_number && t->index);
          }
        }
      } else {
        check(embedded.empty());
      }
      break;
    }
    case 6: {
      auto r = p.transaction(v);
      if (const auto* t = std::get_if<legacy::TransactionRow>(&r)) check_transaction(*t);
      break;
    }
    default: {
      auto r = p.token(v, record.key);
      if (const auto* t = std::get_if<legacy::TokenRow>(&r)) {
        check(t->address.size() == 20);
        check(t->type == "ERC-20" || t->type == "ERC-721" || t->type == "ERC-1155");
        check(!t->total_supply || is_decimal(*t->total_supply));
        check(!t->decimals || (*t->decimals >= 0 && *t->decimals <= 255));
      }
      break;
    }
  }
}

// A record as text for comparing two reads of it; doubles to 12 significant digits (Boost.JSON
// 1.81 may round the last bit differently when a number spans two chunks).
void describe(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::double_: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.12g", v.get_double());
      out += buffer;
      break;
    }
    case json::kind::array:
      out += '[';
      for (const auto& e : v.get_array()) {
        describe(e, out);
        out += ',';
      }
      out += ']';
      break;
    case json::kind::object:
      out += '{';
      for (const auto& [k, e] : v.get_object()) {
        out += util::json::serialize(json::value(k));
        out += ':';
        describe(e, out);
        out += ',';
      }
      out += '}';
      break;
    default:
      out += util::json::serialize(v);
  }
}

std::string describe(const legacy::Record& r) {
  std::string out = r.key ? std::string{*r.key} : "-";
  out += '\x1f';
  if (r.value) {
    describe(*r.value, out);
  } else {
    out += "<large>";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  const int kind = data[0] & 7;
  const std::size_t chunk = 4 + 7 * static_cast<std::size_t>(data[0] >> 3);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<std::string> whole;
  const auto end = legacy::read_records(text, [&](const legacy::Record& r) {
    whole.push_back(describe(r));
    parse_one(kind, r);
  });
  check(end.records == whole.size());
  std::vector<std::string> pieces;
  const auto chunked = legacy::read_records(
      text, [&](const legacy::Record& r) { pieces.push_back(describe(r)); }, chunk);
  check(pieces == whole);
  // (Where a chunked parse notices an error may differ by a token: the offset is a place
  // to look, not an identity.)
  check(chunked.complete == end.complete && end.error_offset <= text.size() &&
        chunked.error_offset <= text.size());
  return 0;
}
