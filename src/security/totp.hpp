// TOTP (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30 s steps from the Unix epoch, 6 digits,
// computed by liboath. A code is checked against the current step and one step either side
// (clock drift); the caller keeps the step of the last code it accepted so that no code, and
// no earlier one, is accepted twice.
//
//   const auto secret = security::new_totp_secret();                 // 20 random bytes
//   security::totp_uri("Pend", "ops@example.com", secret)            // otpauth://totp/...
//   std::optional<std::int64_t> step = security::check_totp(secret, "492039", now, last_step);
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::security {

inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr unsigned kTotpDigits = 6;

std::string new_totp_secret();  // 20 bytes (160 bits, RFC 4226's recommendation)
// RFC 4648 base32 without padding, as authenticator apps read it.
std::string base32(std::string_view bytes);
std::int64_t totp_step(std::chrono::system_clock::time_point at);
// The code of a step; digits 6 to 8 (the RFC's vectors use 8).
std::string totp_code(std::string_view secret, std::int64_t step, unsigned digits = kTotpDigits);
// The step whose code `code` is, among step(now) - 1 .. step(now) + 1 and later than
// after_step (when given); empty otherwise. Compares in constant time.
std::optional<std::int64_t> check_totp(std::string_view secret, std::string_view code,
                                       std::chrono::system_clock::time_point now,
                                       std::optional<std::int64_t> after_step);
// Key URI Format (the one Google Authenticator defined, which every app reads):
// otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view secret);

}  // namespace pend::security
