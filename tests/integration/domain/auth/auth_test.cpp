// App users' sign-up and sign-in end to end over HTTP, against real PostgreSQL and Redis,
// with a local listener playing the SMS provider (the codes are read from what it received)
// and a clock the tests move: register with a code and a signed EIP-4361 challenge, sign in,
// sessions, the lock-out and its release, the budgets of a code and of a phone, replays,
// wallet proofs that must fail, phone numbers refused, suspicious activity, the profile,
// and no secret in any log or error body.
#include "security/mac.hpp"
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/http_recorder.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"
#include "support/wallet.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>
#include <boost/url/parse_query.hpp>

#include <atomic>
#include <regex>
#include <thread>

namespace pend::test {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kPepper = "test-pepper-not-a-secret-0123456789abcdef";
constexpr std::string_view kPhone = "+447400123456";

std::string code_of(const HttpResponse& r) {
  const auto body = r.json();
  return std::to_string(r.status) + " " + std::string{body.at("error").at("code").as_string()};
}

struct AuthTest : ::testing::Test {
  void SetUp() override {
    if (!database.available() || !TempRedis::available()) {
      GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
    }
    server = std::make_unique<TestServer>(settings(), nullptr, &clock);
  }

  config::Settings settings() {
    auto s = test_settings();
    s.database.url = database.url();
    s.redis.url = redis.url();
    s.auth.sms_provider = "http";
    s.auth.sms_url = "http://AC0001:provider-secret@127.0.0.1:" + std::to_string(sms.port()) +
                     "/2010-04-01/Accounts/AC0001/Messages.json";
    s.auth.sms_from = "+15005550006";
    s.auth.sms_countries = {"GB", "US", "DE"};
    s.auth.country_header = "X-Country";
    tune(s);
    return s;
  }
  virtual void tune(config::Settings&) {}

  std::uint16_t port() const { return server->port(); }

  // The form the n-th SMS was posted with.
  std::map<std::string, std::string> sms_form(std::size_t n) {
    const auto requests = sms.requests();
    EXPECT_GT(requests.size(), n);
    std::map<std::string, std::string> form;
    const std::string body = requests.at(n).body();
    for (const auto& param : *boost::urls::parse_query(body)) {
      form[param.key.decode()] = param.value.decode();
    }
    return form;
  }
  std::string last_code() {
    const auto body = sms_form(sms.requests().size() - 1)["Body"];
    std::smatch match;
    EXPECT_TRUE(std::regex_search(body, match, std::regex("([0-9]{6})"))) << body;
    return match[1];
  }

  HttpResponse post(std::string_view target, const boost::json::object& body,
                    Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    return request(port(), "POST", target, headers, util::json::serialize(body));
  }
  std::string otp(std::string_view phone, std::string_view purpose) {
    const auto r = post("/api/v1/auth/otp", {{"phone", phone}, {"purpose", purpose}});
    EXPECT_EQ(r.status, 202u) << r.body;
    return std::string{r.json().at("otp_id").as_string()};
  }
  // A signed challenge for the wallet: {address, message, signature}.
  boost::json::object proof(const TestWallet& wallet) {
    const auto r = request(port(), "GET", "/api/v1/auth/challenge?address=" + wallet.address());
    EXPECT_EQ(r.status, 200u) << r.body;
    const std::string message{r.json().at("message").as_string()};
    return {
        {"address", wallet.address()}, {"message", message}, {"signature", wallet.sign(message)}};
  }
  HttpResponse register_user(std::string_view phone, const TestWallet& wallet) {
    const auto id = otp(phone, "register");
    auto body = proof(wallet);
    body["otp_id"] = id;
    body["code"] = last_code();
    return post("/api/v1/auth/register", body);
  }
  HttpResponse login(std::string_view phone) {
    const auto id = otp(phone, "login");
    return post("/api/v1/auth/login", {{"otp_id", id}, {"code", last_code()}});
  }
  static Headers bearer(const HttpResponse& signed_in) {
    return {{"Authorization", "Bearer " + std::string{signed_in.json().at("token").as_string()}}};
  }
  std::string events(std::string_view type) {
    return database.value("SELECT count(*) FROM security_events WHERE event_type = '" +
                          std::string{type} + "'");
  }
  // Security events are written off the request path: wait for the count.
  std::string events_reaching(std::string_view type, int n) {
    std::string count;
    for (int i = 0; i < 200; ++i) {
      count = events(type);
      if (std::stoi(count) >= n) break;
      std::this_thread::sleep_for(20ms);
    }
    return count;
  }

  ScratchDatabase database;
  TempRedis redis;
  HttpRecorder sms{[](const RecordedRequest&, std::size_t n) {
    return std::pair<unsigned, std::string>{201,
                                            R"({"sid":"SM)" + std::to_string(1000 + n) + "\"}"};
  }};
  util::ManualClock clock;
  std::unique_ptr<TestServer> server;
};

TEST_F(AuthTest, RegisterSignInListAndRevokeSessions) {
  TestWallet wallet;
  const auto registered = register_user("07400 123456", wallet);
  ASSERT_EQ(registered.status, 201u) << registered.body;
  const auto body = registered.json();
  EXPECT_EQ(body.at("user").at("address").as_string(), wallet.address());
  EXPECT_EQ(body.at("user").at("tier"), 0);
  EXPECT_EQ(body.at("user").at("status"), "active");
  EXPECT_EQ(body.at("user").at("country_code"), "GB");
  EXPECT_FALSE(body.at("user").as_object().contains("phone_hash"));

  // What the provider got: a Twilio form with Basic authentication, to the E.164 number.
  const auto form = sms_form(0);
  EXPECT_EQ(form.at("To"), kPhone);
  EXPECT_EQ(form.at("From"), "+15005550006");
  EXPECT_NE(form.at("Body").find("Your Pend code is"), std::string::npos);
  EXPECT_EQ(std::string{sms.requests().at(0)[boost::beast::http::field::authorization]},
            "Basic QUMwMDAxOnByb3ZpZGVyLXNlY3JldA==");  // AC0001:provider-secret

  // The row: the phone only as its HMAC, the address in EIP-55.
  const auto hash = security::hmac_sha256_hex(kPepper, kPhone);
  EXPECT_EQ(database.value("SELECT blockchain_address || ' ' || tier || ' ' || status || ' ' || "
                           "country_code || ' ' || host(registration_ip) || ' ' || login_count "
                           "FROM users WHERE phone_hash = '" +
                           hash + "'"),
            wallet.address() + " 0 active GB 127.0.0.1 1");

  const auto me = request(port(), "GET", "/api/v1/me", bearer(registered));
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("address").as_string(), wallet.address());
  EXPECT_EQ(me.json().at("id"), body.at("user").at("id"));

  clock.advance(31s);  // past the resend cool-down of the phone's last code
  const auto signed_in = login("+44 7400 123456");
  ASSERT_EQ(signed_in.status, 200u) << signed_in.body;
  EXPECT_EQ(database.value("SELECT login_count FROM users WHERE phone_hash = '" + hash + "'"), "2");
  const auto sessions = request(port(), "GET", "/api/v1/sessions", bearer(signed_in));
  ASSERT_EQ(sessions.status, 200u);
  EXPECT_EQ(sessions.json().at("items").as_array().size(), 2u);

  EXPECT_EQ(request(port(), "DELETE", "/api/v1/sessions/current", bearer(signed_in)).status, 204u);
  EXPECT_EQ(request(port(), "GET", "/api/v1/me", bearer(signed_in)).status, 401u);
  EXPECT_EQ(request(port(), "GET", "/api/v1/me", bearer(registered)).status, 200u);

  EXPECT_EQ(database.value("SELECT count(*) FROM auth_codes WHERE consumed_at IS NOT NULL"), "2");
}

// An outside wallet: Foundry's cast signs the challenge exactly as given (EIP-191
// personal_sign), with its own secp256k1 and Keccak code, and the server accepts it.
TEST_F(AuthTest, AChallengeSignedByAnOutsideWalletRegisters) {
  const auto cast = node_tool("cast");
  if (cast.empty()) GTEST_SKIP() << "node_modules/.bin/cast: scripts/install-deps installs it";
  const std::string key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  auto address = run_tool({cast, "wallet", "address", "--private-key", key});
  address.erase(address.find_last_not_of("\n") + 1);
  ASSERT_EQ(address, "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");  // EIP-55, as cast writes it
  const auto id = otp(kPhone, "register");
  const auto challenge = request(port(), "GET", "/api/v1/auth/challenge?address=" + address);
  ASSERT_EQ(challenge.status, 200u) << challenge.body;
  const std::string message{challenge.json().at("message").as_string()};
  auto signature = run_tool({cast, "wallet", "sign", "--private-key", key, message});
  signature.erase(signature.find_last_not_of("\n") + 1);
  // Deterministic signatures (RFC 6979) on both sides: the same bytes as the test wallet's.
  EXPECT_EQ(signature, TestWallet(key).sign(message));
  const auto registered = post("/api/v1/auth/register", {{"otp_id", id},
                                                         {"code", last_code()},
                                                         {"address", address},
                                                         {"message", message},
                                                         {"signature", signature}});
  ASSERT_EQ(registered.status, 201u) << registered.body;
  EXPECT_EQ(registered.json().at("user").at("address").as_string(), address);
}

TEST_F(AuthTest, WrongCodesLockTheAccountAndTheLockEndsWithTheClock) {
  TestWallet wallet;
  ASSERT_EQ(register_user(kPhone, wallet).status, 201u);
  const auto hash = security::hmac_sha256_hex(kPepper, kPhone);
  // Ten wrong codes in a row, over two codes (five each): the account locks.
  for (int code = 0; code < 2; ++code) {
    clock.advance(31s);
    const auto id = otp(kPhone, "login");
    for (int i = 0; i < 5; ++i) {
      const auto r = post("/api/v1/auth/login", {{"otp_id", id}, {"code", "000000"}});
      EXPECT_EQ(code_of(r), "401 invalid_code");
    }
  }
  EXPECT_FALSE(
      database.value("SELECT locked_until FROM users WHERE phone_hash = '" + hash + "'").empty());
  EXPECT_EQ(events_reaching("account_locked", 1), "1");
  EXPECT_EQ(events_reaching("failed_login", 10), "10");
  EXPECT_EQ(database.value("SELECT severity || ' ' || automatic_action_taken FROM "
                           "security_events WHERE event_type = 'account_locked'"),
            "high blocked");

  // Locked: the right code gets exactly the answer a wrong one gets.
  clock.advance(31s);
  const auto locked = login(kPhone);
  EXPECT_EQ(locked.status, 401u);
  EXPECT_EQ(locked.json().at("error").at("code"), "invalid_code");
  EXPECT_EQ(locked.json().at("error").at("message"), "the code is wrong, expired or already used");

  // After the 15 minutes, in again; a success resets the count.
  clock.advance(15min);
  ASSERT_EQ(login(kPhone).status, 200u);
  EXPECT_EQ(database.value("SELECT failed_login_attempts || ' ' || lockouts FROM users WHERE "
                           "phone_hash = '" +
                           hash + "'"),
            "0 0");
}

TEST_F(AuthTest, EachFurtherLockOutIsTwiceAsLong) {
  TestWallet wallet;
  ASSERT_EQ(register_user(kPhone, wallet).status, 201u);
  const auto hash = security::hmac_sha256_hex(kPepper, kPhone);
  auto fail_ten = [&] {
    for (int code = 0; code < 2; ++code) {
      clock.advance(31s);
      const auto id = otp(kPhone, "login");
      for (int i = 0; i < 5; ++i) post("/api/v1/auth/login", {{"otp_id", id}, {"code", "111111"}});
    }
  };
  const auto seconds_locked = [&] {
    return database.value("SELECT round(extract(epoch FROM locked_until) - " +
                          std::to_string(static_cast<double>(clock.unix_ms()) / 1000.0) +
                          ") FROM users WHERE phone_hash = '" + hash + "'");
  };
  fail_ten();
  EXPECT_EQ(seconds_locked(), "900");
  clock.advance(901s);
  fail_ten();
  EXPECT_EQ(seconds_locked(), "1800") << "the second lock-out is doubled";
}

TEST_F(AuthTest, FiftyConcurrentWrongGuessesCompareAtMostFive) {
  TestWallet wallet;
  ASSERT_EQ(register_user(kPhone, wallet).status, 201u);
  clock.advance(31s);
  const auto id = otp(kPhone, "login");
  const std::string right = last_code();
  const auto comparisons = [&] {
    const auto metrics = request(port(), "GET", "/metrics").body;
    std::smatch m;
    std::regex_search(metrics, m, std::regex("pend_auth_code_comparisons_total ([0-9]+)"));
    return std::stoi(m[1]);
  };
  const int before = comparisons();
  std::vector<std::thread> guessers;
  std::atomic<int> refused{0};
  for (int i = 0; i < 50; ++i) {
    guessers.emplace_back([&, i] {
      const std::string guess = std::to_string(100000 + i);
      if (guess == right) return;
      const auto r = post("/api/v1/auth/login", {{"otp_id", id}, {"code", guess}});
      if (r.status == 401) ++refused;
    });
  }
  for (auto& g : guessers) g.join();
  EXPECT_GE(refused.load(), 49);
  EXPECT_EQ(comparisons() - before, 5) << "counted before comparing: no more than the budget";
  EXPECT_EQ(database.value("SELECT attempts FROM auth_codes WHERE id = '" + id + "'"), "5");
  EXPECT_EQ(code_of(post("/api/v1/auth/login", {{"otp_id", id}, {"code", right}})),
            "401 invalid_code")
      << "the code's budget is spent, the right code too";

  // A fresh code is no fresh budget: five more wrong ones reach the account's ten.
  clock.advance(31s);
  const auto second = otp(kPhone, "login");
  const std::string second_right = last_code();
  for (int i = 0; i < 5; ++i) post("/api/v1/auth/login", {{"otp_id", second}, {"code", "000001"}});
  EXPECT_EQ(events_reaching("account_locked", 1), "1");
  clock.advance(31s);
  EXPECT_EQ(login(kPhone).status, 401u) << "locked after ten across the two codes";
  (void)second_right;
}

TEST_F(AuthTest, APhoneWithoutAnAccountHasABudgetAcrossItsCodes) {
  // Registering: no account to lock, so the phone's own budget (10 an hour) holds. One
  // signed challenge serves every attempt: a wrong code does not use its nonce.
  TestWallet wallet;
  auto body = proof(wallet);
  for (int code = 0; code < 2; ++code) {
    if (code > 0) clock.advance(31s);
    body["otp_id"] = otp(kPhone, "register");
    body["code"] = "222222";
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(code_of(post("/api/v1/auth/register", body)), "401 invalid_code");
    }
  }
  clock.advance(31s);
  body["otp_id"] = otp(kPhone, "register");
  body["code"] = last_code();
  EXPECT_EQ(code_of(post("/api/v1/auth/register", body)), "401 invalid_code")
      << "a third code is no new budget: the right code is not even compared";
  EXPECT_EQ(database.value("SELECT count(*) FROM users"), "0");
  clock.advance(1h);
  body["otp_id"] = otp(kPhone, "register");
  body["code"] = last_code();
  EXPECT_EQ(code_of(post("/api/v1/auth/register", body)), "401 wallet_proof_failed")
      << "an hour later the code is compared again (the challenge has expired meanwhile)";
}

TEST_F(AuthTest, CodesAreSingleUseExpireAndKeepToTheirPurpose) {
  TestWallet wallet;
  ASSERT_EQ(register_user(kPhone, wallet).status, 201u);
  clock.advance(31s);
  auto id = otp(kPhone, "login");
  auto code = last_code();
  ASSERT_EQ(post("/api/v1/auth/login", {{"otp_id", id}, {"code", code}}).status, 200u);
  EXPECT_EQ(code_of(post("/api/v1/auth/login", {{"otp_id", id}, {"code", code}})),
            "401 invalid_code")
      << "used once";

  clock.advance(31s);
  id = otp(kPhone, "login");
  code = last_code();
  clock.advance(301s);
  EXPECT_EQ(code_of(post("/api/v1/auth/login", {{"otp_id", id}, {"code", code}})),
            "401 invalid_code")
      << "expired after five minutes";

  id = otp(kPhone, "change_address");
  code = last_code();
  EXPECT_EQ(code_of(post("/api/v1/auth/login", {{"otp_id", id}, {"code", code}})),
            "401 invalid_code")
      << "another purpose's code";
}

TEST_F(AuthTest, WalletProofsThatMustFail) {
  TestWallet wallet, stranger;
  const auto id = otp(kPhone, "register");
  const std::string code = last_code();
  const auto attempt = [&](boost::json::object body) {
    body["otp_id"] = id;
    body["code"] = code;
    return post("/api/v1/auth/register", body);
  };
  // Signed by another key.
  auto signed_by_stranger = proof(wallet);
  signed_by_stranger["signature"] =
      stranger.sign(std::string{signed_by_stranger["message"].as_string()});
  EXPECT_EQ(code_of(attempt(signed_by_stranger)), "401 wallet_proof_failed");
  // A message for another domain, and for another chain (signed, but not issued by us).
  auto fresh = proof(wallet);
  std::string message{fresh["message"].as_string()};
  auto edit = [&](std::string from, std::string to) {
    std::string m = message;
    m.replace(m.find(from), from.size(), to);
    return boost::json::object{
        {"address", wallet.address()}, {"message", m}, {"signature", wallet.sign(m)}};
  };
  const auto other_domain = attempt(edit("localhost:8080 wants", "evil.example wants"));
  EXPECT_EQ(code_of(other_domain), "401 wallet_proof_failed");
  EXPECT_NE(other_domain.json().at("error").at("message").as_string().find("domain"),
            std::string::npos);
  EXPECT_EQ(code_of(attempt(edit("Chain ID: 31337", "Chain ID: 1"))), "401 wallet_proof_failed");
  EXPECT_EQ(code_of(attempt(edit("Nonce: ", "Nonce: X"))), "401 wallet_proof_failed")
      << "a nonce this server never issued";
  // Expired: the challenge lives ten minutes.
  auto late = proof(wallet);
  clock.advance(11min);
  const auto expired = attempt(late);
  EXPECT_EQ(code_of(expired), "401 wallet_proof_failed");
  EXPECT_EQ(database.value("SELECT count(*) FROM users"), "0");
  EXPECT_EQ(database.value("SELECT attempts FROM auth_codes WHERE id = '" + id + "'"), "0")
      << "a proof this server refuses costs the code nothing";

  // Replayed: a used nonce does not open a second account.
  clock.advance(31s);
  const auto good = proof(wallet);
  const auto first_id = otp(kPhone, "register");
  auto body = good;
  body["otp_id"] = first_id;
  body["code"] = last_code();
  ASSERT_EQ(post("/api/v1/auth/register", body).status, 201u);
  clock.advance(31s);
  const auto second_id = otp("+12015550123", "register");
  body["otp_id"] = second_id;
  body["code"] = last_code();
  EXPECT_EQ(code_of(post("/api/v1/auth/register", body)), "401 wallet_proof_failed");
  EXPECT_EQ(database.value("SELECT count(*) FROM users"), "1");
}

TEST_F(AuthTest, ATakenPhoneOrAddressIsAConflictThatSaysNotWhich) {
  TestWallet wallet;
  ASSERT_EQ(register_user(kPhone, wallet).status, 201u);
  clock.advance(31s);
  const auto again = register_user(kPhone, TestWallet());
  EXPECT_EQ(code_of(again), "409 already_registered");
  clock.advance(31s);
  const auto address_taken = register_user("+12015550123", wallet);
  EXPECT_EQ(code_of(address_taken), "409 already_registered");
  EXPECT_EQ(again.json().at("error").at("message"), address_taken.json().at("error").at("message"));
}

TEST_F(AuthTest, TheSameAnswerWhetherOrNotThePhoneHasAnAccount) {
  const auto unknown = post("/api/v1/auth/otp", {{"phone", "+12015550123"}, {"purpose", "login"}});
  ASSERT_EQ(unknown.status, 202u) << unknown.body;
  const auto keys = [](const HttpResponse& r) {
    std::set<std::string> k;
    const auto body = r.json();
    for (const auto& [key, value] : body.as_object()) k.emplace(key);
    return k;
  };
  TestWallet wallet;
  ASSERT_EQ(register_user(kPhone, wallet).status, 201u);
  clock.advance(31s);
  const auto known = post("/api/v1/auth/otp", {{"phone", kPhone}, {"purpose", "login"}});
  ASSERT_EQ(known.status, 202u);
  EXPECT_EQ(keys(unknown), keys(known));
  EXPECT_EQ(sms.requests().size(), 3u) << "a code is sent either way";
  // A right code for a phone without an account signs nobody in, and says so like a wrong one.
  const auto unknown_id = std::string{unknown.json().at("otp_id").as_string()};
  const auto form = sms_form(0);
  std::smatch m;
  std::regex_search(form.at("Body"), m, std::regex("([0-9]{6})"));
  EXPECT_EQ(code_of(post("/api/v1/auth/login", {{"otp_id", unknown_id}, {"code", m[1].str()}})),
            "401 invalid_code");
}

TEST_F(AuthTest, CoolDownAndCapsPerPhoneAndPerAddress) {
  ASSERT_EQ(post("/api/v1/auth/otp", {{"phone", kPhone}, {"purpose", "login"}}).status, 202u);
  const auto soon = post("/api/v1/auth/otp", {{"phone", kPhone}, {"purpose", "login"}});
  EXPECT_EQ(code_of(soon), "429 code_cooldown");
  EXPECT_FALSE(soon.header("Retry-After").empty());
  for (int i = 0; i < 4; ++i) {
    clock.advance(31s);
    ASSERT_EQ(post("/api/v1/auth/otp", {{"phone", kPhone}, {"purpose", "login"}}).status, 202u)
        << i;
  }
  clock.advance(31s);
  EXPECT_EQ(code_of(post("/api/v1/auth/otp", {{"phone", kPhone}, {"purpose", "login"}})),
            "429 too_many_codes")
      << "five an hour";
  clock.advance(1h);
  EXPECT_EQ(post("/api/v1/auth/otp", {{"phone", kPhone}, {"purpose", "login"}}).status, 202u);
}

TEST_F(AuthTest, PhoneNumbersAreValidatedAndCountriesAllowListed) {
  const auto fixed =
      post("/api/v1/auth/otp", {{"phone", "+44 20 7946 0958"}, {"purpose", "login"}});
  EXPECT_EQ(code_of(fixed), "422 invalid_phone");
  EXPECT_EQ(fixed.json().at("error").at("details").at(0).at("field"), "phone");
  EXPECT_EQ(code_of(post("/api/v1/auth/otp", {{"phone", "not a number"}, {"purpose", "login"}})),
            "422 invalid_phone");
  EXPECT_EQ(
      code_of(post("/api/v1/auth/otp", {{"phone", "+33 6 12 34 56 78"}, {"purpose", "login"}})),
      "422 phone_region_not_served")
      << "France is not in auth.sms_countries";
  const auto bad_body = post("/api/v1/auth/otp", {{"phone", 7}, {"purpose", "lunch"}, {"pin", 1}});
  EXPECT_EQ(code_of(bad_body), "422 validation_failed");
  EXPECT_EQ(bad_body.json().at("error").at("details").as_array().size(), 2u)
      << "the wrong type and the unknown field, together";
  EXPECT_TRUE(sms.requests().empty());
}

TEST_F(AuthTest, SuspendedUsersCannotSignInAndTheirSessionsEnd) {
  TestWallet wallet;
  const auto registered = register_user(kPhone, wallet);
  ASSERT_EQ(registered.status, 201u);
  database.value("UPDATE users SET status = 'suspended'");
  EXPECT_EQ(code_of(request(port(), "GET", "/api/v1/me", bearer(registered))),
            "401 account_unavailable");
  EXPECT_EQ(request(port(), "GET", "/api/v1/sessions", bearer(registered)).status, 401u)
      << "the session ended";
  clock.advance(31s);
  EXPECT_EQ(code_of(login(kPhone)), "403 account_unavailable");
}

TEST_F(AuthTest, SuspiciousActivityIsRecorded) {
  // Five phones from one address in an hour.
  for (const char* phone :
       {"+447400123401", "+447400123402", "+447400123403", "+447400123404", "+447400123405"}) {
    ASSERT_EQ(post("/api/v1/auth/otp", {{"phone", phone}, {"purpose", "register"}}).status, 202u);
  }
  EXPECT_EQ(events_reaching("suspicious_activity", 1), "1");
  EXPECT_EQ(database.value("SELECT threat_indicators->>'rule' || ' ' || severity || ' ' || "
                           "automatic_action_taken FROM security_events WHERE event_type = "
                           "'suspicious_activity'"),
            "many_phones_from_one_address high flagged");

  // A sign-in from a country the account has not used (the trusted proxy says which).
  TestWallet wallet;
  clock.advance(31s);
  const auto id = otp(kPhone, "register");
  auto body = proof(wallet);
  body["otp_id"] = id;
  body["code"] = last_code();
  ASSERT_EQ(post("/api/v1/auth/register", body, {{"X-Country", "GB"}}).status, 201u);
  clock.advance(31s);
  const auto login_id = otp(kPhone, "login");
  ASSERT_EQ(post("/api/v1/auth/login", {{"otp_id", login_id}, {"code", last_code()}},
                 {{"X-Country", "BR"}, {"X-Forwarded-For", "198.51.100.20"}})
                .status,
            200u);
  EXPECT_EQ(events_reaching("new_country_sign_in", 1), "1");
  EXPECT_EQ(database.value("SELECT host(ip_address) FROM security_events WHERE event_type = "
                           "'new_country_sign_in'"),
            "198.51.100.20");
}

TEST_F(AuthTest, TheProfileAndANewWalletAddress) {
  TestWallet wallet;
  const auto registered = register_user(kPhone, wallet);
  ASSERT_EQ(registered.status, 201u);
  auto headers = bearer(registered);
  headers.emplace_back("Content-Type", "application/json");
  auto patched = request(port(), "PATCH", "/api/v1/me", headers, R"({"email":"ada@example.com"})");
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(patched.json().at("email"), "ada@example.com");
  patched = request(port(), "PATCH", "/api/v1/me", headers, R"({"email":"not an email"})");
  EXPECT_EQ(code_of(patched), "422 validation_failed");
  EXPECT_EQ(patched.json().at("error").at("details").at(0).at("field"), "email");

  TestWallet next;
  clock.advance(31s);
  const auto id = otp(kPhone, "change_address");
  auto body = proof(next);
  body["otp_id"] = id;
  body["code"] = last_code();
  const auto moved =
      request(port(), "PUT", "/api/v1/me/address", headers, util::json::serialize(body));
  ASSERT_EQ(moved.status, 200u) << moved.body;
  EXPECT_EQ(moved.json().at("address").as_string(), next.address());
  EXPECT_EQ(database.value("SELECT blockchain_address FROM users"), next.address());
}

TEST_F(AuthTest, NoPhoneCodePepperOrTokenInLogsRowsOrErrorBodies) {
  TestWallet wallet;
  const auto registered = register_user("07400 123456", wallet);
  ASSERT_EQ(registered.status, 201u);
  const std::string token{registered.json().at("token").as_string()};
  const std::string code = last_code();
  clock.advance(31s);
  const auto id = otp(kPhone, "login");
  const auto wrong = post("/api/v1/auth/login", {{"otp_id", id}, {"code", "999999"}});
  EXPECT_EQ(wrong.status, 401u);
  const std::string log = server->log_text();
  for (const std::string& secret :
       {std::string{kPhone}, std::string{"7400123456"}, std::string{"07400 123456"}, code, token,
        std::string{kPepper}}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "in the log: " << secret;
    EXPECT_EQ(wrong.body.find(secret), std::string::npos) << "in an error body: " << secret;
    EXPECT_EQ(database.value("SELECT count(*) FROM security_events WHERE "
                             "threat_indicators::text LIKE '%" +
                             secret + "%'"),
              "0");
  }
  EXPECT_NE(log.find("+44*******456"), std::string::npos) << "the masked form, where needed";
  EXPECT_NE(log.find("SECURITY_FAILED_LOGIN"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
