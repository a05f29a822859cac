// Phone numbers as the app's users type them, through libphonenumber (no hand-written
// numbering rules): parsed with a default region, refused unless a valid mobile number,
// normalised to E.164, and kept only as an HMAC. The number itself is stored nowhere and
// logged nowhere; where a log needs to say which number, it shows masked() (+44*******123).
//
//   const PhoneNumbers phones("GB");
//   auto phone = phones.parse("07700 900123");   // or the reason it is refused
//   phone->e164         // "+447700900123"
//   phone->region       // "GB"
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pend::domain::auth {

struct Phone {
  std::string e164;      // +447700900123
  std::string region;    // ISO 3166 alpha-2 of the number's country: GB
  int country_code = 0;  // the calling code: 44

  std::string masked() const;  // +44*******123
};

enum class PhoneProblem : std::uint8_t { none, not_a_number, invalid, not_mobile };

class PhoneNumbers {
 public:
  explicit PhoneNumbers(std::string default_region) : default_region_(std::move(default_region)) {}

  // nullopt with *problem (and a sentence for the 422 in *why) when the text is not a valid
  // mobile (or fixed-line-or-mobile) number.
  std::optional<Phone> parse(std::string_view text, PhoneProblem* problem = nullptr,
                             std::string* why = nullptr) const;

 private:
  std::string default_region_;
};

// phone_hash: HMAC-SHA256(pepper, E.164), 64 lowercase hex digits (the plan's column).
std::string phone_hash(std::string_view pepper, const Phone& phone);

}  // namespace pend::domain::auth
