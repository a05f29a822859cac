// EVM addresses: 20 bytes, written 0x + 40 hex digits, and EIP-55's mixed-case checksum
// (each letter upper-case where the Keccak-256 of the lowercase hex has a nibble >= 8).
// The API accepts an address all in lower or all in upper case, or with a correct checksum;
// it stores and answers EIP-55.
//
//   auto a = security::parse_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
//   a->checksummed()   // "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::security {

struct Address {
  std::array<std::uint8_t, 20> bytes{};

  std::string checksummed() const;  // EIP-55
  std::string lower() const;        // 0x + lowercase hex
  friend bool operator==(const Address&, const Address&) = default;
};

enum class AddressProblem : std::uint8_t { none, format, checksum };

// 0x + 40 hex digits; a mixed-case text must carry a correct EIP-55 checksum.
std::optional<Address> parse_address(std::string_view text, AddressProblem* problem = nullptr);
// The text with a correct checksum exactly (what EIP-4361 asks of a message's address).
bool is_checksummed(std::string_view text);
std::string to_checksum(std::string_view lower_hex_40);

}  // namespace pend::security
