// Keccak-256, Ethereum's hash (the original Keccak padding, not NIST's SHA3-256), from
// Crypto++ (Keccak_256): addresses, EIP-55 checksums, EIP-191 message hashes, ABI selectors
// and event topics.
//
//   security::keccak256("")   // c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pend::security {

using Hash32 = std::array<std::uint8_t, 32>;

Hash32 keccak256(std::string_view bytes);
std::string keccak256_hex(std::string_view bytes);  // lowercase, no 0x

}  // namespace pend::security
