#include "security/totp.hpp"

#include "security/mac.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <array>
#include <mutex>
#include <stdexcept>

namespace pend::security {

namespace {

void init_oath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("liboath failed to initialise");
  });
}

// RFC 3986 unreserved characters pass; everything else is percent-encoded.
std::string uri_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || c == '@';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

std::string new_totp_secret() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string secret(20, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string base32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::int64_t totp_step(std::chrono::system_clock::time_point at) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return seconds >= 0 ? seconds / kTotpStepSeconds : -1;
}

std::string totp_code(std::string_view secret, std::int64_t step, unsigned digits) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("TOTP codes have 6 to 8 digits");
  init_oath();
  std::array<char, 16> out{};
  // HOTP of the step counter is TOTP at that step (RFC 6238 section 4.2).
  const int rc = oath_hotp_generate(secret.data(), secret.size(), static_cast<std::uint64_t>(step),
                                    digits, false, OATH_HOTP_DYNAMIC_TRUNCATION, out.data());
  if (rc != OATH_OK) throw std::runtime_error("liboath could not compute a TOTP code");
  return std::string{out.data(), digits};
}

std::optional<std::int64_t> check_totp(std::string_view secret, std::string_view code,
                                       std::chrono::system_clock::time_point now,
                                       std::optional<std::int64_t> after_step) {
  if (code.size() != kTotpDigits ||
      code.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const std::int64_t current = totp_step(now);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, matched or not: the time taken says nothing.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    if (step < 0) continue;
    const bool equal = equal_constant_time(totp_code(secret, step), code);
    if (equal && !matched && (!after_step || step > *after_step)) matched = step;
  }
  return matched;
}

std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view secret) {
  std::string uri = "otpauth://totp/";
  uri += uri_escape(issuer);
  uri += ':';
  uri += uri_escape(account);
  uri += "?secret=";
  uri += base32(secret);
  uri += "&issuer=";
  uri += uri_escape(issuer);
  uri += "&algorithm=SHA1&digits=6&period=30";
  return uri;
}

}  // namespace pend::security
