// HMAC-SHA256 (libsodium) and constant-time comparison: what makes stored identifiers
// (phone_hash) and stored codes unusable without the server's key.
//
//   std::string hash = security::hmac_sha256_hex(pepper, "+447700900123");   // 64 hex
//   security::equal_constant_time(a, b)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pend::security {

using Mac = std::array<std::uint8_t, 32>;

Mac hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Equal length and equal bytes, in time that depends on the length only.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace pend::security
