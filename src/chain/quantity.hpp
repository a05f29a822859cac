// JSON-RPC quantities and data (the Ethereum JSON-RPC encoding): a quantity is "0x" and its
// hex digits without leading zeros ("0x0" for zero); data is "0x" and two digits a byte.
// Values up to 256 bits are kept exact: as 64-bit integers when they fit (block numbers,
// nonces, indexes) and as decimal strings otherwise (wei amounts, gas prices). Never a double.
//
//   chain::quantity_u64("0x1b4")                 // 436
//   chain::quantity_decimal("0xde0b6b3a7640000") // "1000000000000000000"
//   chain::to_quantity(436)                      // "0x1b4"
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pend::chain {

// A 256-bit unsigned integer as four 64-bit limbs, least significant first.
struct U256 {
  std::array<std::uint64_t, 4> limbs{};

  static std::optional<U256> from_hex(std::string_view digits);  // no prefix, 1-64 digits
  static std::optional<U256> from_decimal(std::string_view digits);
  static U256 from_bytes(std::string_view big_endian_32);  // exactly 32 bytes
  std::string decimal() const;
  std::string hex() const;  // "0x..." quantity form
  bool fits_u64() const { return limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0; }
  bool is_zero() const { return fits_u64() && limbs[0] == 0; }
  friend bool operator==(const U256&, const U256&) = default;
};

// "0x" + 1..16 hex digits (leading zeros tolerated, as some nodes send them).
std::optional<std::uint64_t> quantity_u64(std::string_view text);
// "0x" + 1..64 hex digits, as a U256 / as its exact decimal text.
std::optional<U256> quantity_u256(std::string_view text);
std::optional<std::string> quantity_decimal(std::string_view text);
std::string to_quantity(std::uint64_t value);

// "0x" + an even number of hex digits: the bytes. With size, exactly that many bytes.
std::optional<std::string> data_bytes(std::string_view text);
std::optional<std::string> data_bytes(std::string_view text, std::size_t size);

}  // namespace pend::chain
