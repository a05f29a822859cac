// Admin sign-in end to end over HTTP, against real PostgreSQL and Redis, with a clock the
// tests move: a password, then enrolment of an authenticator (otpauth:// URI, QR code,
// recovery codes) confirmed by a first code; sign-in with a TOTP code, once per code; a
// recovery code, once; the lock-out and its end; the limits of an mfa_token and of an admin
// session; a changed role or a disabled admin counting on the next request; no password,
// secret, code or token in a log or an error body.
#include "security/digest.hpp"
#include "security/totp.hpp"
#include "support/child_process.hpp"
#include "support/databases.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"
#include "support/test_server.hpp"
#include "util/hex.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <boost/asio/awaitable.hpp>

#include <unistd.h>

#include <regex>
#include <thread>

namespace pend::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kPassword = "a long admin passphrase";

// The error without its request id: what a caller can compare between answers.
std::string error_of(const HttpResponse& r) {
  const auto body = r.json();
  return std::to_string(r.status) + " " + util::json::serialize(body.at("error").at("code")) + " " +
         util::json::serialize(body.at("error").at("message"));
}

std::string code_of(const HttpResponse& r) {
  return std::to_string(r.status) + " " + std::string{r.json().at("error").at("code").as_string()};
}

// RFC 4648 base32 (no padding), as an authenticator app reads the enrolment's secret.
std::string from_base32(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    buffer = (buffer << 5) | static_cast<std::uint32_t>(kAlphabet.find(c));
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

struct AdminSignInTest : ::testing::Test {
  void SetUp() override {
    if (!database.available() || !TempRedis::available()) {
      GTEST_SKIP() << "scripts/test provides PEND_TEST_DATABASE_URL and redis-server";
    }
    // A whole minute into a 30 s step, so that codes of the step before and after exist.
    clock.set(std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}});
    server = std::make_unique<TestServer>(settings(), routes, &clock);
  }
  config::Settings settings() {
    auto s = test_settings();
    s.database.url = database.url();
    s.redis.url = redis.url();
    tune(s);
    return s;
  }
  virtual void tune(config::Settings&) {}
  // A route only admins with users.write may call, to see the role at work.
  static void routes(app::Application& app) {
    app.router().add(
        http::Method::post, "/test/users-write",
        [](http::RequestContext& ctx) -> asio::awaitable<void> {
          ctx.json(200, {{"admin", ctx.principal.id}});
          co_return;
        },
        {.access = http::Access::admin, .permission = security::Permission::users_write});
  }
  std::uint16_t port() const { return server->port(); }

  // An admin row as `pend-server seed` or the admins routes make it, with an Argon2id hash
  // at libsodium's minimum cost (the test's time; the server reads the cost from the hash).
  std::string add_admin(std::string_view email, std::string_view role) {
    char hash[crypto_pwhash_STRBYTES];
    EXPECT_EQ(crypto_pwhash_str(hash, kPassword.data(), kPassword.size(),
                                crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
              0);
    return database.value(
        "INSERT INTO admin_users (email, display_name, password_hash, role) "
        "VALUES ('" +
        std::string{email} + "', 'Ana', '" + hash + "', '" + std::string{role} + "') RETURNING id");
  }

  HttpResponse post(std::string_view target, const boost::json::object& body,
                    Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    return request(port(), "POST", target, headers, util::json::serialize(body));
  }
  HttpResponse login(std::string_view email, std::string_view password = kPassword) {
    return post("/api/v1/admin/auth/login", {{"email", email}, {"password", password}});
  }
  HttpResponse totp(const HttpResponse& challenge, std::string_view code) {
    return post("/api/v1/admin/auth/totp",
                {{"mfa_token", challenge.json().at("mfa_token")}, {"code", code}});
  }
  std::string code_now(std::int64_t offset = 0) const {
    return security::totp_code(secret, security::totp_step(clock.now()) + offset);
  }
  // Password, enrolment and first code: the secret kept in `secret`; the signed-in body.
  HttpResponse enrol(std::string_view email) {
    const auto challenge = login(email);
    EXPECT_EQ(challenge.status, 200u) << challenge.body;
    secret = from_base32(std::string{challenge.json().at("enrolment").at("secret").as_string()});
    const auto signed_in = totp(challenge, code_now());
    EXPECT_EQ(signed_in.status, 200u) << signed_in.body;
    return signed_in;
  }
  static Headers bearer(const HttpResponse& signed_in) {
    return {{"Authorization", "Bearer " + std::string{signed_in.json().at("token").as_string()}}};
  }
  std::string events_reaching(std::string_view type, int n) {
    std::string count;
    for (int i = 0; i < 200; ++i) {
      count = database.value("SELECT count(*) FROM security_events WHERE event_type = '" +
                             std::string{type} + "'");
      if (std::stoi(count) >= n) break;
      std::this_thread::sleep_for(20ms);
    }
    return count;
  }

  ScratchDatabase database;
  TempRedis redis;
  util::ManualClock clock;
  std::unique_ptr<TestServer> server;
  std::string secret;  // the enrolled TOTP secret, as the authenticator app has it
};

TEST_F(AdminSignInTest, EnrolWithAFirstCodeThenSignInWithCodesOncePerCode) {
  const auto id = add_admin("ana@example.com", "support");
  const auto challenge = login("ANA@example.com");  // the email in any case
  ASSERT_EQ(challenge.status, 200u) << challenge.body;
  const auto body = challenge.json();
  EXPECT_EQ(body.at("mfa"), "enrol");
  EXPECT_EQ(body.at("mfa_token").as_string().size(), 43u);
  const auto& enrolment = body.at("enrolment");
  const std::string uri{enrolment.at("otpauth_uri").as_string()};
  const std::string base32{enrolment.at("secret").as_string()};
  EXPECT_EQ(uri, "otpauth://totp/Pend:ana@example.com?secret=" + base32 +
                     "&issuer=Pend&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(base32.size(), 32u);  // 20 bytes
  EXPECT_TRUE(enrolment.at("qr_svg").as_string().starts_with("<svg xmlns="));
  secret = from_base32(base32);
  // Only a sealed box is stored, and only as pending until a code confirms it.
  EXPECT_EQ(database.value("SELECT (totp_secret_encrypted IS NULL)::text || ' ' || "
                           "length(totp_pending_encrypted) FROM admin_users WHERE id = '" +
                           id + "'"),
            "true 61");  // version, nonce (24), 20 bytes, tag (16)
  EXPECT_EQ(database.value("SELECT position(decode('" + util::to_hex(secret) +
                           "', 'hex') IN totp_pending_encrypted) FROM admin_users"),
            "0");

  EXPECT_EQ(code_of(totp(challenge, code_now(-2))), "401 invalid_code") << "two steps old";
  const auto signed_in = totp(challenge, code_now(-1));  // one step of drift is fine
  ASSERT_EQ(signed_in.status, 200u) << signed_in.body;
  const auto signed_body = signed_in.json();
  const auto profile = signed_body.at("admin");
  EXPECT_EQ(profile.at("id").as_string(), id);
  EXPECT_EQ(profile.at("role"), "support");
  EXPECT_EQ(util::json::serialize(profile.at("permissions")),
            R"(["users.read","users.write","logs.read","metrics.read","security.investigate"])");
  const auto& recovery = signed_body.at("recovery_codes").as_array();
  ASSERT_EQ(recovery.size(), 10u);
  EXPECT_TRUE(std::regex_match(std::string{recovery[0].as_string()},
                               std::regex("[a-z2-7]{5}-[a-z2-7]{5}")));
  EXPECT_EQ(database.value("SELECT count(*) FROM admin_recovery_codes WHERE admin_id = '" + id +
                           "' AND used_at IS NULL"),
            "10");
  EXPECT_EQ(database.value("SELECT (totp_pending_encrypted IS NULL)::text || ' ' || "
                           "length(totp_secret_encrypted) || ' ' || totp_last_step || ' ' || "
                           "(last_login_at IS NOT NULL)::text FROM admin_users"),
            "true 61 " + std::to_string(security::totp_step(clock.now()) - 1) + " true");
  // The ticket is spent.
  EXPECT_EQ(code_of(totp(challenge, code_now())), "401 invalid_mfa_token");

  const auto me = request(port(), "GET", "/api/v1/admin/me", bearer(signed_in));
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("email"), "ana@example.com");

  // Enrolled: the next sign-in asks for a code and shows no secret.
  const auto again = login("ana@example.com");
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(again.json().at("mfa"), "totp");
  EXPECT_TRUE(again.json().at("enrolment").is_null());
  EXPECT_EQ(code_of(totp(again, code_now(-1))), "401 invalid_code") << "used at enrolment";
  ASSERT_EQ(totp(again, code_now()).status, 200u);
  const auto third = login("ana@example.com");
  EXPECT_EQ(code_of(totp(third, code_now())), "401 invalid_code") << "a replayed code";
  clock.advance(30s);
  EXPECT_EQ(totp(third, code_now()).status, 200u) << "the next step's code";

  // A recovery code instead of a code: once.
  const std::string spare{recovery[3].as_string()};
  EXPECT_EQ(totp(login("ana@example.com"), spare).status, 200u);
  EXPECT_EQ(code_of(totp(login("ana@example.com"), spare)), "401 invalid_code");
  EXPECT_EQ(database.value("SELECT count(*) FROM admin_recovery_codes WHERE used_at IS NOT NULL"),
            "1");
  // A sign-in resets the failure count; the refused recovery code is the one since.
  EXPECT_EQ(database.value("SELECT failed_login_attempts FROM admin_users"), "1");

  // Every attempt on the account is in the audit trail, in order, the allowed ones with
  // their session.
  EXPECT_EQ(database.value("SELECT string_agg(outcome || ':' || (new_values->>'result'), ',' "
                           "ORDER BY seq) FROM admin_audit_logs WHERE action = 'admin.sign_in' "
                           "AND admin_id = '" +
                           id + "'"),
            "refused:wrong_code,allowed:enrolled,refused:wrong_code,allowed:signed_in,"
            "refused:wrong_code,allowed:signed_in,allowed:signed_in,refused:wrong_code");
  EXPECT_EQ(database.value("SELECT session_id || ' ' || host(ip_address) FROM admin_audit_logs "
                           "WHERE new_values->>'result' = 'enrolled'"),
            security::sha256_hex(std::string{signed_body.at("token").as_string()}) + " 127.0.0.1");
}

// An outside authenticator: oathtool reads the enrolment's base32 secret as an app does and
// computes the code for the server's (test) clock; the server accepts it.
TEST_F(AdminSignInTest, AnOutsideAuthenticatorsCodeIsAccepted) {
  if (::access("/usr/bin/oathtool", X_OK) != 0) {
    GTEST_SKIP() << "oathtool: scripts/install-deps installs it";
  }
  add_admin("ana@example.com", "viewer");
  const auto challenge = login("ana@example.com");
  ASSERT_EQ(challenge.status, 200u) << challenge.body;
  const std::string base32{challenge.json().at("enrolment").at("secret").as_string()};
  auto code = run_tool({"/usr/bin/oathtool", "--totp", "--base32", "--now",
                        "2027-01-15 08:00:00 UTC", base32});  // 1,800,000,000: the test's clock
  code.erase(code.find_last_not_of("\n") + 1);
  ASSERT_EQ(code.size(), 6u) << code;
  secret = from_base32(base32);
  EXPECT_EQ(code, code_now());
  const auto signed_in = totp(challenge, code);
  EXPECT_EQ(signed_in.status, 200u) << signed_in.body;
}

TEST_F(AdminSignInTest, UnknownWrongDisabledAndLockedAllGetTheSameAnswer) {
  const auto id = add_admin("ana@example.com", "admin");
  enrol("ana@example.com");
  const auto unknown = login("nobody@example.com");
  EXPECT_EQ(code_of(unknown), "401 invalid_credentials");
  // Five wrong passwords in a row lock the account (admin.lockout_failures).
  for (int i = 0; i < 5; ++i) {
    const auto wrong = login("ana@example.com", "not the passphrase");
    EXPECT_EQ(error_of(wrong), error_of(unknown)) << i;
  }
  EXPECT_EQ(events_reaching("admin_account_locked", 1), "1");
  EXPECT_EQ(events_reaching("admin_failed_login", 5), "5");
  EXPECT_EQ(database.value("SELECT severity || ' ' || automatic_action_taken || ' ' || "
                           "(threat_indicators->>'admin_id') FROM security_events WHERE "
                           "event_type = 'admin_account_locked'"),
            "high blocked " + id);
  EXPECT_EQ(error_of(login("ana@example.com")), error_of(unknown))
      << "locked: the right password too";
  clock.advance(901s);  // admin.lockout_seconds
  const auto open = login("ana@example.com");
  ASSERT_EQ(open.status, 200u) << open.body;
  // Wrong codes count to the same lock-out (the password is no help alone).
  clock.advance(30s);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(code_of(totp(open, "000000")), "401 invalid_code");
  const auto fresh = login("ana@example.com");
  EXPECT_EQ(code_of(totp(fresh, "000001")), "401 invalid_code");  // the fifth: locked again
  EXPECT_EQ(code_of(totp(fresh, code_now())), "401 invalid_credentials");
  EXPECT_EQ(events_reaching("admin_account_locked", 2), "2");
  // The second lock-out lasts twice as long: 1800 s from the failure, by the server's clock.
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  EXPECT_EQ(database.value("SELECT extract(epoch FROM locked_until)::int8 FROM admin_users"),
            std::to_string(now_s + 1800));

  database.value("UPDATE admin_users SET status = 'disabled', locked_until = NULL");
  EXPECT_EQ(error_of(login("ana@example.com")), error_of(unknown)) << "disabled";
}

struct FewAttemptsTest : AdminSignInTest {
  void tune(config::Settings& s) override { s.admin.mfa_attempts = 3; }
};

TEST_F(FewAttemptsTest, AnMfaTokenAllowsItsAttemptsAndExpires) {
  add_admin("ana@example.com", "viewer");
  enrol("ana@example.com");
  clock.advance(30s);
  const auto challenge = login("ana@example.com");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(code_of(totp(challenge, "123456")), "401 invalid_code");
  EXPECT_EQ(code_of(totp(challenge, code_now())), "401 invalid_mfa_token") << "used up";
  // Redis forgets a ticket after admin.mfa_token_ttl_seconds (the key's own TTL).
  const auto later = login("ana@example.com");
  RedisOnLoop client(redis.url());
  const std::string key =
      "admin_mfa:" + security::sha256_hex(std::string{later.json().at("mfa_token").as_string()});
  const auto ttl = run_until_done(client.loop, client.redis.command("TTL", key)).integer();
  ASSERT_TRUE(ttl);
  EXPECT_GT(*ttl, 290);
  EXPECT_LE(*ttl, 300);
  EXPECT_EQ(totp(later, code_now()).status, 200u);
}

TEST_F(AdminSignInTest, ARoleChangeOrADisabledAdminCountsOnTheNextRequest) {
  const auto id = add_admin("ana@example.com", "support");
  const auto signed_in = enrol("ana@example.com");
  EXPECT_EQ(post("/test/users-write", {}, bearer(signed_in)).status, 200u);
  database.value("UPDATE admin_users SET role = 'viewer' WHERE id = '" + id + "'");
  const auto refused = post("/test/users-write", {}, bearer(signed_in));
  EXPECT_EQ(code_of(refused), "403 forbidden");
  EXPECT_NE(refused.body.find("users.write"), std::string::npos) << refused.body;
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(signed_in)).json().at("role"),
            "viewer");
  database.value("UPDATE admin_users SET status = 'disabled' WHERE id = '" + id + "'");
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(signed_in)).status, 401u);
  database.value("UPDATE admin_users SET status = 'active' WHERE id = '" + id + "'");
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(signed_in)).status, 200u);
  // An app user's session is not an admin's.
  EXPECT_EQ(code_of(request(port(), "GET", "/api/v1/admin/me")), "401 unauthenticated");
}

TEST_F(AdminSignInTest, AnAdminSessionEndsAfterFifteenIdleMinutesOrTwelveHours) {
  add_admin("ana@example.com", "viewer");
  const auto signed_in = enrol("ana@example.com");
  const auto expires = util::parse_rfc3339(signed_in.json().at("expires_at").as_string());
  ASSERT_TRUE(expires);
  EXPECT_EQ(*expires - std::chrono::floor<std::chrono::microseconds>(clock.now()), 12h);
  clock.advance(14min);
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(signed_in)).status, 200u);
  clock.advance(14min);  // used 14 min ago: still live
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(signed_in)).status, 200u);
  clock.advance(15min);
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(signed_in)).status, 401u);

  clock.advance(30s);
  const auto second = totp(login("ana@example.com"), code_now());
  ASSERT_EQ(second.status, 200u) << second.body;
  for (int i = 0; i < 52; ++i) {  // active all along: 12 h after it began it still ends
    clock.advance(14min);
    request(port(), "GET", "/api/v1/admin/me", bearer(second));
  }
  EXPECT_EQ(request(port(), "GET", "/api/v1/admin/me", bearer(second)).status, 401u);
}

TEST_F(AdminSignInTest, NoPasswordSecretCodeOrTokenInLogsOrErrorBodies) {
  add_admin("ana@example.com", "viewer");
  const auto wrong_password = login("ana@example.com", "the wrong passphrase");
  const auto challenge = login("ana@example.com");
  const std::string base32{challenge.json().at("enrolment").at("secret").as_string()};
  secret = from_base32(base32);
  const auto wrong_code = totp(challenge, "000000");
  const std::string code = code_now();
  const auto signed_in = totp(challenge, code);
  ASSERT_EQ(signed_in.status, 200u);
  const std::string token{signed_in.json().at("token").as_string()};
  const std::string recovery{signed_in.json().at("recovery_codes").as_array()[0].as_string()};
  const std::string mfa_token{challenge.json().at("mfa_token").as_string()};
  const std::string log = server->log_text();
  for (const std::string& hidden : {std::string{kPassword}, std::string{"the wrong passphrase"},
                                    base32, code, token, recovery, mfa_token}) {
    EXPECT_EQ(log.find(hidden), std::string::npos) << "in the log: " << hidden;
    EXPECT_EQ(wrong_password.body.find(hidden), std::string::npos) << hidden;
    EXPECT_EQ(wrong_code.body.find(hidden), std::string::npos) << hidden;
    EXPECT_EQ(database.value("SELECT count(*) FROM security_events WHERE "
                             "threat_indicators::text LIKE '%" +
                             hidden + "%'"),
              "0");
  }
  EXPECT_NE(log.find("SECURITY_ADMIN_SIGN_IN_FAILED"), std::string::npos);
  EXPECT_NE(log.find("ADMIN_ENROLLED"), std::string::npos);
}

}  // namespace
}  // namespace pend::test
