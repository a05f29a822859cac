// Secrets the server makes up, from libsodium's CSPRNG: one-time codes, nonces.
//
//   security::random_digits(6)          // "042917": uniform, leading zeros kept
//   security::random_alphanumeric(17)   // a SIWE nonce
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pend::security {

std::string random_digits(std::size_t count);
std::string random_alphanumeric(std::size_t count);  // A-Z a-z 0-9
// count characters drawn uniformly from alphabet (at most 256 distinct characters).
std::string random_string(std::string_view alphabet, std::size_t count);

}  // namespace pend::security
