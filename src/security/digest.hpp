// Digests and random tokens: MD5 for the plan's cache keys (not for security), SHA-1 for
// Redis script ids, SHA-256 for what must not be reversible (session tokens, phone numbers).
#pragma once

#include <string>
#include <string_view>

namespace pend::security {

std::string md5_hex(std::string_view data);     // 32 lowercase hex digits
std::string sha1_hex(std::string_view data);    // 40
std::string sha256_hex(std::string_view data);  // 64

// bytes random bytes from libsodium, base64url without padding (32 bytes: 43 characters).
std::string random_token(std::size_t bytes = 32);

}  // namespace pend::security
