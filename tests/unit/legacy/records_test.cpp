// The record parsers of import-legacy: every accepted shape to its exact row, and each
// refusal to its reason.
#include "legacy/records.hpp"

#include "security/mac.hpp"
#include "util/hex.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pend::legacy {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const Micros kNow = Micros{std::chrono::seconds{1'790'000'000}};  // 2026-09-21

RecordParser parser() {
  return RecordParser({.default_region = "GB", .pepper = "pepper", .now = kNow});
}

template <typename Row>
Row row(const Parsed<Row>& parsed) {
  if (const auto* r = std::get_if<Reject>(&parsed)) ADD_FAILURE() << r->reason << ": " << r->detail;
  return std::holds_alternative<Row>(parsed) ? std::get<Row>(parsed) : Row{};
}
template <typename Row>
std::string reason(const Parsed<Row>& parsed) {
  const auto* r = std::get_if<Reject>(&parsed);
  return r ? r->reason : "accepted";
}

std::string iso(Micros t) { return util::format_rfc3339(t, util::TimePrecision::seconds); }

TEST(LegacyTimeTest, IsoEpochSecondsAndMilliseconds) {
  const auto t = [](std::string_view text) {
    const auto v = json::parse(text);
    const auto parsed = parse_time(v);
    return parsed ? iso(*parsed) : std::string{"none"};
  };
  EXPECT_EQ(t(R"("2023-05-01T10:20:30Z")"), "2023-05-01T10:20:30Z");
  EXPECT_EQ(t(R"("2023-05-01T10:20:30.250+02:00")"), "2023-05-01T08:20:30Z");
  EXPECT_EQ(t(R"("2023-05-01T10:20:30+0200")"), "2023-05-01T08:20:30Z");
  EXPECT_EQ(t(R"("2023-05-01 10:20:30")"), "2023-05-01T10:20:30Z");  // no zone: UTC
  EXPECT_EQ(t(R"("2023-05-01")"), "2023-05-01T00:00:00Z");
  EXPECT_EQ(t("1682936430"), "2023-05-01T10:20:30Z");
  EXPECT_EQ(t("1682936430000"), "2023-05-01T10:20:30Z");
  EXPECT_EQ(t(R"("1682936430")"), "2023-05-01T10:20:30Z");
  EXPECT_EQ(t(R"("1682936430000")"), "2023-05-01T10:20:30Z");
  EXPECT_EQ(t(R"("0x644f926e")"), "2023-05-01T10:20:30Z");
  EXPECT_EQ(t(R"("yesterday")"), "none");
  EXPECT_EQ(t(R"("2023-13-01T00:00:00Z")"), "none");
  EXPECT_EQ(t("-5"), "none");
  EXPECT_EQ(t("99999999999999999"), "none");  // past the year 5138 even as milliseconds
  EXPECT_EQ(t(R"("99999999999999999")"), "none");
  EXPECT_EQ(t("true"), "none");
}

TEST(LegacyWalletTest, KeyedByPhoneWithAnAddressString) {
  const auto p = parser();
  const auto parsed = p.wallet(json::value("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
                               std::string_view{"+447900123456"});
  const auto& w = row(parsed);
  EXPECT_EQ(w.phone_hash, security::hmac_sha256_hex("pepper", "+447900123456"));
  EXPECT_EQ(w.masked, "+44*******456");
  EXPECT_EQ(w.address, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_EQ(w.country, "GB");
  EXPECT_EQ(w.tier, 0);
  EXPECT_EQ(w.status, "active");
  EXPECT_FALSE(w.created_at);
  EXPECT_FALSE(w.email);
}

TEST(LegacyWalletTest, ObjectsInCamelOrSnakeCaseWithStringsForNumbers) {
  const auto p = parser();
  const auto a = json::parse(R"({"phone_number":"07900 123456","walletAddress":
      "5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED","createdAt":1690000000000,"kyc_tier":"2",
      "isActive":"false","email":" a@example.com ","secretNote":"+447900999999"})");
  const auto& w = row(p.wallet(a, std::nullopt));
  EXPECT_EQ(w.phone_hash, security::hmac_sha256_hex("pepper", "+447900123456"));
  EXPECT_EQ(w.address, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_EQ(iso(*w.created_at), "2023-07-22T04:26:40Z");
  EXPECT_EQ(w.tier, 2);
  EXPECT_EQ(w.status, "suspended");
  EXPECT_EQ(*w.email, "a@example.com");

  const auto b = json::parse(R"({"address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "registered_at":"2024-02-03","status":"Banned"})");
  const auto& w2 = row(p.wallet(b, std::string_view{"+4915123456789"}));
  EXPECT_EQ(w2.country, "DE");
  EXPECT_EQ(w2.masked, "+49********789");
  EXPECT_EQ(iso(*w2.created_at), "2024-02-03T00:00:00Z");
  EXPECT_EQ(w2.status, "suspended");
}

TEST(LegacyWalletTest, RefusalsSayWhyWithoutTheNumber) {
  const auto p = parser();
  const auto key = std::optional<std::string_view>{"+447900123456"};
  EXPECT_EQ(reason(p.wallet(json::value("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), key)),
            "bad_checksum");
  EXPECT_EQ(reason(p.wallet(json::value("0x1234"), key)), "invalid_address");
  EXPECT_EQ(reason(p.wallet(json::parse(R"({"tier":1})"), key)), "missing_address");
  EXPECT_EQ(reason(p.wallet(json::value("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
                            std::string_view{"12345"})),
            "invalid_phone");
  EXPECT_EQ(
      reason(p.wallet(json::parse(R"({"address":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"})"),
                      std::nullopt)),
      "missing_phone");
  EXPECT_EQ(
      reason(p.wallet(
          json::parse(R"({"address":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","tier":"9"})"),
          key)),
      "invalid_tier");
  EXPECT_EQ(
      reason(p.wallet(
          json::parse(
              R"({"address":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","created":"1999-01-01"})"),
          key)),
      "invalid_time");
  EXPECT_EQ(
      reason(p.wallet(
          json::parse(R"({"address":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","status":"odd"})"),
          key)),
      "invalid_status");
  EXPECT_EQ(reason(p.wallet(json::value(42), key)), "not_a_record");
  // A fixed line is not a number codes can be sent to.
  EXPECT_EQ(reason(p.wallet(json::value("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
                            std::string_view{"+442079460123"})),
            "invalid_phone");
  const auto r = std::get<Reject>(p.wallet(json::value("0x1"), key));
  EXPECT_EQ(r.detail.find("7900"), std::string::npos);
  EXPECT_EQ(p.masked_key("+447900123456"), "+44*******456");
  EXPECT_EQ(p.masked_key("+44790012345"), "+********345");  // one digit short
  EXPECT_EQ(p.masked_key("020 7946 0123"), "*** **** *123");
}

TEST(LegacyLogTest, LevelsCategoriesAndColumnsMapped) {
  const auto p = parser();
  const auto v = json::parse(R"({"timestamp":"2024-01-02T03:04:05.5Z","level":"WARNING",
      "message":"slow","category":"api","event":"request done","ip":"10.0.0.1",
      "path":"/api/send","method":"post","statusCode":"201","duration_ms":12.7,"user":"u1"})");
  const auto& l = row(p.log(v));
  EXPECT_EQ(util::format_rfc3339(l.timestamp), "2024-01-02T03:04:05.500Z");
  EXPECT_EQ(l.level, "warn");
  EXPECT_EQ(l.category, "API");
  EXPECT_EQ(l.event_type, "REQUEST_DONE");
  EXPECT_EQ(*l.ip_address, "10.0.0.1");
  EXPECT_EQ(*l.endpoint, "/api/send");
  EXPECT_EQ(*l.method, "POST");
  EXPECT_EQ(*l.status_code, 201);
  EXPECT_EQ(*l.response_time_ms, 12);
  EXPECT_EQ(l.metadata, R"({"message":"slow","user":"u1","legacy":true})");
  EXPECT_EQ(l.digest.size(), 32u);

  const auto& other = row(p.log(json::parse(R"({"time":1700000000,"level":"silly","msg":"x",
      "module":"payments"})")));
  EXPECT_EQ(other.level, "trace");
  EXPECT_EQ(other.category, "GENERAL");
  EXPECT_EQ(other.event_type, "LEGACY_LOG");
  EXPECT_EQ(other.metadata, R"({"message":"x","legacy_category":"payments","legacy":true})");
  const auto& odd = row(p.log(json::parse(R"({"ts":"2024-01-01","level":"notice2"})")));
  EXPECT_EQ(odd.level, "info");
  EXPECT_EQ(odd.metadata, R"({"legacy_level":"notice2","legacy":true})");
}

TEST(LegacyLogTest, PhoneNumbersInTheTextAreMasked) {
  const auto p = parser();
  const auto& l = row(p.log(json::parse(R"j({"timestamp":"2024-01-02T03:04:05Z",
      "message":"OTP sent to +44 7900 123456, retry 07900-123457 (block 12345678901)",
      "details":{"to":"+4915123456789","n":5}})j")));
  EXPECT_EQ(l.metadata,
            R"j({"message":"OTP sent to +44*******456, retry +44*******457 (block 12345678901)",)j"
            R"j("details":{"to":"+49********789","n":5},"legacy":true})j");
  EXPECT_EQ(p.mask_phones("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed id 79001234567"),
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed id 79001234567");
  EXPECT_EQ(p.mask_phones("from 198.51.100.23 at 1700000024"), "from 198.51.100.23 at 1700000024");
}

TEST(LegacyLogTest, IdentityFollowsContent) {
  const auto p = parser();
  const auto a = row(p.log(json::parse(R"({"timestamp":"2024-01-02T03:04:05Z","msg":"a"})")));
  const auto a2 = row(p.log(json::parse(R"({"time":"2024-01-02T03:04:05Z","message":"a"})")));
  const auto b = row(p.log(json::parse(R"({"timestamp":"2024-01-02T03:04:05Z","msg":"b"})")));
  EXPECT_EQ(a.digest, a2.digest);
  EXPECT_NE(a.digest, b.digest);
  EXPECT_EQ(reason(p.log(json::parse(R"({"msg":"no time"})"))), "missing_timestamp");
  EXPECT_EQ(reason(p.log(json::value("a line"))), "not_an_object");
}

TEST(LegacyAdminTest, AccountsNeverCarryTheOldCredentials) {
  const auto p = parser();
  const auto& a = row(p.admin_account(json::parse(R"({"id":7,"username":"ops@pend.example",
      "fullName":"Ops Person","role":"Super_Admin","isActive":"false",
      "password":"$2b$10$abcdefghijklmnopqrstuv","totpSecret":"JBSWY3DPEHPK3PXP",
      "lastLogin":"2024-03-01T00:00:00Z"})")));
  EXPECT_EQ(a.email, "ops@pend.example");
  EXPECT_EQ(a.display_name, "Ops Person");
  EXPECT_EQ(a.role, "superadmin");
  EXPECT_EQ(a.status, "disabled");
  EXPECT_EQ(*a.legacy_id, "7");
  EXPECT_EQ(iso(*a.last_login_at), "2024-03-01T00:00:00Z");
  const auto& b = row(p.admin_account(json::parse(R"({"email":"kyc@pend.example","role":"KYC"})")));
  EXPECT_EQ(b.display_name, "kyc");
  EXPECT_EQ(b.role, "compliance");
  EXPECT_EQ(b.status, "active");
  EXPECT_EQ(reason(p.admin_account(json::parse(R"({"email":"x@y","role":"god"})"))),
            "invalid_role");
  EXPECT_EQ(reason(p.admin_account(json::parse(R"({"name":"no mail"})"))), "missing_email");
}

TEST(LegacyAdminTest, ActionsKeepTheirValuesAsObjects) {
  const auto p = parser();
  const auto& a = row(p.admin_action(json::parse(R"({"action":"user.suspend","admin":7,
      "targetId":123,"before":{"status":"active"},"after":"suspended","timestamp":1700000000,
      "reason":"fraud report for +447900123456"})")));
  EXPECT_EQ(a.action, "user.suspend");
  EXPECT_EQ(*a.actor, "7");
  EXPECT_EQ(*a.resource_id, "123");
  EXPECT_EQ(*a.old_values, R"({"status":"active"})");
  EXPECT_EQ(*a.new_values, R"({"value":"suspended"})");
  EXPECT_EQ(*a.justification, "fraud report for +44*******456");
  EXPECT_EQ(reason(p.admin_action(json::parse(R"({"timestamp":1700000000})"))), "missing_action");
}

TEST(LegacySettingTest, NamesBecomeLegacyKeys) {
  const auto p = parser();
  const auto& s =
      row(p.setting(json::parse(R"({"a":[1,true]})"), std::string_view{"maxDailyLimitUSD"}));
  EXPECT_EQ(s.key, "legacy.max_daily_limit_u_s_d");
  EXPECT_EQ(s.value, R"({"a":[1,true]})");
  const auto& kv =
      row(p.setting(json::parse(R"({"key":"maintenance-mode","value":false})"), std::nullopt));
  EXPECT_EQ(kv.key, "legacy.maintenance_mode");
  EXPECT_EQ(kv.value, "false");
  EXPECT_EQ(reason(p.setting(json::value(1), std::string_view{"__"})), "invalid_key");
  EXPECT_EQ(row(p.setting(json::value(1), std::string_view{"2faRequired"})).key,
            "legacy.2fa_required");
  EXPECT_EQ(reason(p.setting(json::value(1), std::string_view{std::string(120, 'a')})),
            "invalid_key");
}

TEST(LegacyChainTest, BlocksWithHexAndDecimalQuantitiesAndEmbeddedTransactions) {
  const auto p = parser();
  const std::string h1(64, 'a'), h0(64, 'b'), tx(64, 'c');
  const auto v =
      json::parse(R"({"number":"0xf4240","hash":"0x)" + h1 + R"(","parentHash":"0x)" + h0 +
                  R"(","timestamp":"0x6553f100","miner":"0x)" + std::string(40, '1') +
                  R"(","gasUsed":"21000","gasLimit":"0x1c9c380","baseFeePerGas":7,
      "transactions":[{"hash":"0x)" +
                  tx + R"(","from":"0x)" + std::string(40, '2') +
                  R"(","to":null,"value":"0xde0b6b3a7640000","nonce":"0x1",
      "status":"0x1","input":"0xa9059cbb"},{"hash":"bad"}]})");
  std::vector<Parsed<TransactionRow>> embedded;
  const auto& b = row(p.block(v, &embedded));
  EXPECT_EQ(b.number, 1'000'000u);
  EXPECT_EQ(util::to_hex(b.hash), h1);
  EXPECT_EQ(util::to_hex(b.parent_hash), h0);
  EXPECT_EQ(iso(b.timestamp), "2023-11-14T22:13:20Z");
  EXPECT_EQ(b.gas_used, "21000");
  EXPECT_EQ(b.gas_limit, "30000000");
  EXPECT_EQ(*b.base_fee, "7");
  EXPECT_EQ(b.transaction_count, 2);
  ASSERT_EQ(embedded.size(), 2u);
  const auto& t = row(embedded[0]);
  EXPECT_EQ(util::to_hex(*t.block_hash), h1);
  EXPECT_EQ(*t.block_number, 1'000'000u);
  EXPECT_EQ(*t.index, 0);
  EXPECT_FALSE(t.to);
  EXPECT_EQ(t.value, "1000000000000000000");
  EXPECT_EQ(t.nonce, 1u);
  EXPECT_EQ(*t.status, 1);
  EXPECT_EQ(util::to_hex(t.input), "a9059cbb");
  EXPECT_EQ(reason(embedded[1]), "invalid_hash");
  EXPECT_EQ(reason(p.block(json::parse(R"({"number":1})"))), "invalid_hash");
}

TEST(LegacyChainTest, TokensBeyondSixtyFourBits) {
  const auto p = parser();
  const auto& t = row(p.token(json::parse(R"({"standard":"erc1155","name":"Items",
      "totalSupply":"340282366920938463463374607431768211456","decimals":"0","listed":"yes"})"),
                              std::string_view{"0x" + std::string(40, 'a')}));
  EXPECT_EQ(t.type, "ERC-1155");
  EXPECT_EQ(*t.total_supply, "340282366920938463463374607431768211456");
  EXPECT_EQ(*t.decimals, 0);
  EXPECT_TRUE(t.tracked);
  EXPECT_EQ(util::to_hex(t.address), std::string(40, 'a'));
  EXPECT_EQ(reason(p.token(
                json::parse(R"({"address":"0x)" + std::string(40, 'a') + R"(","type":"ERC-777"})"),
                std::nullopt)),
            "invalid_type");
}

}  // namespace
}  // namespace pend::legacy
