// Secrets the server makes up, from libsodium's CSPRNG: one-time codes, nonces.
//
//   security::random_digits(6)          // "042917": uniform, leading zeros kept
//   security::random_alphanumeric(17)   // a SIWE nonce
#pragma once

#include <cstddef>
#include <string>

namespace pend::security {

std::string random_digits(std::size_t count);
std::string random_alphanumeric(std::size_t count);  // A-Z a-z 0-9

}  // namespace pend::security
