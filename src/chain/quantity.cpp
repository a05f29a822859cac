#include "chain/quantity.hpp"

#include "util/hex.hpp"

#include <algorithm>

namespace pend::chain {

namespace {

std::string_view strip_prefix(std::string_view text, bool& ok) {
  ok = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  return ok ? text.substr(2) : text;
}

// value = value * factor + add; false on overflow past 256 bits.
bool multiply_add(U256& value, std::uint64_t factor, std::uint64_t add) {
  unsigned __int128 carry = add;
  for (auto& limb : value.limbs) {
    const unsigned __int128 product = static_cast<unsigned __int128>(limb) * factor + carry;
    limb = static_cast<std::uint64_t>(product);
    carry = product >> 64;
  }
  return carry == 0;
}

// value /= divisor; returns the remainder.
std::uint64_t divide(U256& value, std::uint64_t divisor) {
  unsigned __int128 remainder = 0;
  for (int i = 3; i >= 0; --i) {
    const unsigned __int128 current = (remainder << 64) | value.limbs[i];
    value.limbs[i] = static_cast<std::uint64_t>(current / divisor);
    remainder = current % divisor;
  }
  return static_cast<std::uint64_t>(remainder);
}

}  // namespace

std::optional<U256> U256::from_hex(std::string_view digits) {
  if (digits.empty() || digits.size() > 64) return std::nullopt;
  U256 out;
  for (const char c : digits) {
    const int v = util::hex_value(c);
    if (v < 0) return std::nullopt;
    for (int i = 3; i > 0; --i) out.limbs[i] = (out.limbs[i] << 4) | (out.limbs[i - 1] >> 60);
    out.limbs[0] = (out.limbs[0] << 4) | static_cast<std::uint64_t>(v);
  }
  return out;
}

std::optional<U256> U256::from_decimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 78) return std::nullopt;
  U256 out;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    if (!multiply_add(out, 10, static_cast<std::uint64_t>(c - '0'))) return std::nullopt;
  }
  return out;
}

U256 U256::from_bytes(std::string_view bytes) {
  U256 out;
  for (std::size_t i = 0; i < 32 && i < bytes.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(bytes[i]);
    const std::size_t bit = (31 - i) * 8;
    out.limbs[bit / 64] |= static_cast<std::uint64_t>(byte) << (bit % 64);
  }
  return out;
}

std::string U256::decimal() const {
  if (is_zero()) return "0";
  U256 rest = *this;
  std::string out;
  while (!rest.is_zero()) {
    // Nineteen digits at a time: 10^19 fits a limb.
    std::uint64_t chunk = divide(rest, 10'000'000'000'000'000'000ULL);
    for (int i = 0; i < 19 && (chunk != 0 || !rest.is_zero()); ++i) {
      out.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string U256::hex() const {
  std::string out = "0x";
  bool started = false;
  for (int i = 3; i >= 0; --i) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      const auto nibble = (limbs[i] >> shift) & 0xf;
      if (nibble == 0 && !started) continue;
      started = true;
      out.push_back(util::kHexDigits[nibble]);
    }
  }
  if (!started) out.push_back('0');
  return out;
}

std::optional<std::uint64_t> quantity_u64(std::string_view text) {
  bool prefixed = false;
  const auto digits = strip_prefix(text, prefixed);
  if (!prefixed || digits.size() > 16) return std::nullopt;
  const auto value = U256::from_hex(digits);
  if (!value) return std::nullopt;
  return value->limbs[0];
}

std::optional<U256> quantity_u256(std::string_view text) {
  bool prefixed = false;
  const auto digits = strip_prefix(text, prefixed);
  if (!prefixed) return std::nullopt;
  return U256::from_hex(digits);
}

std::optional<std::string> quantity_decimal(std::string_view text) {
  const auto value = quantity_u256(text);
  if (!value) return std::nullopt;
  return value->decimal();
}

std::string to_quantity(std::uint64_t value) {
  U256 v;
  v.limbs[0] = value;
  return v.hex();
}

std::optional<std::string> data_bytes(std::string_view text) {
  if (text.size() < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return std::nullopt;
  if (text.size() == 2) return std::string{};
  return util::from_hex(text);
}

std::optional<std::string> data_bytes(std::string_view text, std::size_t size) {
  auto bytes = data_bytes(text);
  if (!bytes || bytes->size() != size) return std::nullopt;
  return bytes;
}

}  // namespace pend::chain
