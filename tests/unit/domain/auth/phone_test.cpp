// Phone numbers through libphonenumber: numbers of several regions, in the forms people type
// them, normalised to E.164; fixed lines, invalid and malformed numbers refused with a reason;
// the hash keyed by the pepper; the mask logs may show.
#include "domain/auth/phone.hpp"

#include <gtest/gtest.h>

namespace pend::domain::auth {
namespace {

TEST(PhoneTest, MobileNumbersOfSeveralRegionsNormaliseToE164) {
  const PhoneNumbers phones("GB");
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"07400 123456", "+447400123456", "GB"},  // national form, default region
      {"+44 7400 123456", "+447400123456", "GB"},
      {"+1 (201) 555-0123", "+12015550123", "US"},  // US numbers are fixed-line-or-mobile
      {"+49 1512 3456789", "+4915123456789", "DE"},
      {"+91 98765 43210", "+919876543210", "IN"},
      {"+234 803 123 4567", "+2348031234567", "NG"},
      {"+33 6 12 34 56 78", "+33612345678", "FR"},
  };
  for (const auto& [text, e164, region] : cases) {
    std::string why;
    const auto phone = phones.parse(text, nullptr, &why);
    ASSERT_TRUE(phone) << text << ": " << why;
    EXPECT_EQ(phone->e164, e164) << text;
    EXPECT_EQ(phone->region, region) << text;
  }
  EXPECT_EQ(PhoneNumbers("DE").parse("01512 3456789")->e164, "+4915123456789")
      << "the default region reads national numbers";
}

TEST(PhoneTest, RefusesWhatIsNotAValidMobileNumberAndSaysWhy) {
  const PhoneNumbers phones("GB");
  PhoneProblem problem{};
  std::string why;
  EXPECT_FALSE(phones.parse("+44 20 7946 0958", &problem, &why)) << "a London fixed line";
  EXPECT_EQ(problem, PhoneProblem::not_mobile);
  EXPECT_NE(why.find("mobile"), std::string::npos);
  EXPECT_FALSE(phones.parse("+44 7400 12345", &problem)) << "one digit short";
  EXPECT_EQ(problem, PhoneProblem::invalid);
  for (const char* junk : {"", "hello", "++44", "+999 123456789",
                           "+44 7400 123456 7700 900123 7700 900123 7700 900123 77009001237"}) {
    EXPECT_FALSE(phones.parse(junk, &problem)) << junk;
    EXPECT_NE(problem, PhoneProblem::none) << junk;
  }
}

TEST(PhoneTest, TheHashIsKeyedAndTheMaskKeepsLittle) {
  const PhoneNumbers phones("GB");
  const auto phone = *phones.parse("+447400123456");
  const auto hash = phone_hash("pepper-one", phone);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash, phone_hash("pepper-one", *phones.parse("07400 123 456")))
      << "every spelling of one number is one hash";
  EXPECT_NE(hash, phone_hash("pepper-two", phone)) << "no pepper, no hash";
  EXPECT_EQ(phone.masked(), "+44*******456");
  EXPECT_EQ(phones.parse("+12015550123")->masked(), "+1*******123");
}

}  // namespace
}  // namespace pend::domain::auth
