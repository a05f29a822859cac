// TOTP against RFC 6238's own test vectors (Appendix B, SHA-1) and RFC 4226's HOTP values,
// the one-step drift window and replay rule, the base32 and otpauth:// forms authenticator
// apps read, the sealed boxes of secrets at rest, Argon2id passwords and the QR code SVG.
#include "security/password.hpp"
#include "security/secret_box.hpp"
#include "security/totp.hpp"
#include "util/qr_svg.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace pend::security {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint at(std::int64_t unix_seconds) { return TimePoint{std::chrono::seconds{unix_seconds}}; }

constexpr std::string_view kRfcSecret = "12345678901234567890";  // RFC 6238's SHA-1 seed

TEST(TotpTest, Rfc6238AppendixBVectors) {
  const std::pair<std::int64_t, std::string_view> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [time, code] : vectors) {
    // T = floor(time / 30); the clock's own type ends in 2262, so the last vector's T is
    // computed here.
    const auto step = time < 10'000'000'000 ? totp_step(at(time)) : time / 30;
    EXPECT_EQ(totp_code(kRfcSecret, step, 8), code) << time;
  }
  // The step counter of those times, as the RFC's table gives it (T in hex).
  EXPECT_EQ(totp_step(at(59)), 1);
  EXPECT_EQ(totp_step(at(1111111109)), 0x23523EC);
  EXPECT_EQ(totp_step(at(2000000000)), 0x3F940AA);
}

TEST(TotpTest, Rfc4226HotpValuesAreTheSixDigitCodesOfEachStep) {
  // RFC 4226 Appendix D: HOTP of counters 0-9 for the same secret.
  const std::string_view expected[] = {"755224", "287082", "359152", "969429", "338314",
                                       "254676", "287922", "162583", "399871", "520489"};
  for (int counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(totp_code(kRfcSecret, counter), expected[counter]) << counter;
  }
}

TEST(TotpTest, OneStepOfDriftIsAcceptedTwoAreNot) {
  const auto now = at(1'800'000'015);
  const auto step = totp_step(now);
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step), now, std::nullopt), step);
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step - 1), now, std::nullopt), step - 1);
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step + 1), now, std::nullopt), step + 1);
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step - 2), now, std::nullopt),
            std::nullopt);
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step + 2), now, std::nullopt),
            std::nullopt);
}

TEST(TotpTest, ACodeIsAcceptedOnceAndNoEarlierOneAfterIt) {
  const auto now = at(1'800'000'015);
  const auto step = totp_step(now);
  const auto code = totp_code(kRfcSecret, step);
  EXPECT_EQ(check_totp(kRfcSecret, code, now, step), std::nullopt) << "replayed";
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step - 1), now, step), std::nullopt);
  EXPECT_EQ(check_totp(kRfcSecret, totp_code(kRfcSecret, step + 1), now, step), step + 1);
}

TEST(TotpTest, MalformedCodesAreRefusedWithoutComputing) {
  const auto now = at(1'800'000'015);
  for (const std::string_view code : {"", "12345", "1234567", "12345a", " 12345", "１２３４５６"}) {
    EXPECT_EQ(check_totp(kRfcSecret, code, now, std::nullopt), std::nullopt) << code;
  }
  EXPECT_THROW(totp_code(kRfcSecret, 1, 5), std::invalid_argument);
}

TEST(TotpTest, Base32AndTheKeyUri) {
  // RFC 4648 section 10's vectors, without padding.
  EXPECT_EQ(base32(""), "");
  EXPECT_EQ(base32("f"), "MY");
  EXPECT_EQ(base32("fo"), "MZXQ");
  EXPECT_EQ(base32("foo"), "MZXW6");
  EXPECT_EQ(base32("foob"), "MZXW6YQ");
  EXPECT_EQ(base32("fooba"), "MZXW6YTB");
  EXPECT_EQ(base32("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(totp_uri("Pend Ops", "ana@example.com", kRfcSecret),
            "otpauth://totp/Pend%20Ops:ana@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Pend%20Ops&algorithm=SHA1&digits=6&period=30");
  const auto secret = new_totp_secret();
  EXPECT_EQ(secret.size(), 20u);
  EXPECT_NE(secret, new_totp_secret());
}

TEST(SecretBoxTest, SealsOpensAndRefusesWhatWasTamperedWith) {
  const std::string key(32, '\x42');
  SecretBox box(key);
  const auto sealed = box.seal(kRfcSecret, "admin-1");
  EXPECT_EQ(sealed.size(), 1 + 24 + kRfcSecret.size() + 16);
  EXPECT_EQ(sealed.find(kRfcSecret), std::string::npos);
  EXPECT_NE(sealed, box.seal(kRfcSecret, "admin-1")) << "a fresh nonce each time";
  EXPECT_EQ(box.open(sealed, "admin-1"), std::string{kRfcSecret});
  EXPECT_EQ(box.open(sealed, "admin-2"), std::nullopt) << "bound to its row";
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto flipped = sealed;
    flipped[i] = static_cast<char>(flipped[i] ^ 1);
    EXPECT_EQ(box.open(flipped, "admin-1"), std::nullopt) << i;
  }
  EXPECT_EQ(box.open(sealed.substr(0, 40), "admin-1"), std::nullopt);
  EXPECT_EQ(box.open("", "admin-1"), std::nullopt);
  EXPECT_EQ(SecretBox(std::string(32, '\x43')).open(sealed, "admin-1"), std::nullopt);
  EXPECT_THROW(SecretBox(std::string(31, 'k')), std::invalid_argument);
  EXPECT_EQ(key_from_hex(std::string(64, 'a')), std::string(32, '\xaa'));
  EXPECT_EQ(key_from_hex(std::string(62, 'a')), std::nullopt);
  EXPECT_EQ(key_from_hex(std::string(64, 'g')), std::nullopt);
}

TEST(PasswordTest, Argon2idHashesVerifyAndRefuse) {
  const auto stored = hash_password("correct horse battery staple");
  EXPECT_TRUE(stored.starts_with("$argon2id$v=19$")) << stored;
  EXPECT_TRUE(verify_password(stored, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(stored, "correct horse battery stapler"));
  EXPECT_FALSE(verify_password("not a hash", "x"));
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_FALSE(verify_password(decoy_password_hash(), ""));
  EXPECT_TRUE(decoy_password_hash().starts_with("$argon2id$"));
}

TEST(QrSvgTest, DrawsASquareCodeWithItsQuietZone) {
  const auto svg = util::qr_svg("otpauth://totp/Pend:ana@example.com?secret=GEZDGNBV");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(svg, match, std::regex(R"re(viewBox="0 0 (\d+) (\d+)")re")));
  EXPECT_EQ(match[1], match[2]);
  const int size = std::stoi(match[1]);
  // Versions 1-40 are 21-177 modules wide, in steps of 4, plus 4 on each side.
  EXPECT_EQ((size - 8 - 21) % 4, 0) << size;
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg.ends_with("\"/></svg>"));
  // The three finder patterns: the top-left module of each is dark.
  const int width = size - 8;
  for (const auto& [x, y] :
       {std::pair{4, 4}, std::pair{4 + width - 7, 4}, std::pair{4, 4 + width - 7}}) {
    const std::string module = "M" + std::to_string(x) + " " + std::to_string(y) + "h1v1h-1z";
    EXPECT_NE(svg.find(module), std::string::npos) << module;
  }
  EXPECT_THROW(util::qr_svg(std::string(8000, 'x')), std::invalid_argument);
}

}  // namespace
}  // namespace pend::security
