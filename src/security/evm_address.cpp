#include "security/evm_address.hpp"

#include "security/keccak.hpp"
#include "util/hex.hpp"

#include <array>

namespace pend::security {

namespace {

std::string checksum_of(std::string_view lower_hex) {
  const auto hash = keccak256(lower_hex);
  std::string out = "0x";
  for (std::size_t i = 0; i < lower_hex.size(); ++i) {
    const char c = lower_hex[i];
    const int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
    out += (c >= 'a' && c <= 'f' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

}  // namespace

std::string to_checksum(std::string_view lower_hex_40) {
  // The same addresses come back row after row (a list's own address on every line): each
  // thread remembers the last 256 it wrote, by their last byte, so most cost a comparison
  // rather than a Keccak.
  struct Remembered {
    std::array<char, 40> lower{};
    std::string checksummed;
  };
  thread_local std::array<Remembered, 256> remembered;
  if (lower_hex_40.size() != 40 || !util::is_hex(lower_hex_40)) return checksum_of(lower_hex_40);
  auto& slot = remembered[static_cast<std::size_t>(hex_value(lower_hex_40[38]) * 16 +
                                                   hex_value(lower_hex_40[39]))];
  if (slot.checksummed.empty() || std::string_view{slot.lower.data(), 40} != lower_hex_40) {
    std::copy(lower_hex_40.begin(), lower_hex_40.end(), slot.lower.begin());
    slot.checksummed = checksum_of(lower_hex_40);
  }
  return slot.checksummed;
}

std::string Address::lower() const { return util::to_prefixed_hex(bytes); }

std::string Address::checksummed() const { return to_checksum(util::to_hex(bytes)); }

std::optional<Address> parse_address(std::string_view text, AddressProblem* problem) {
  const auto fail = [&](AddressProblem why) -> std::optional<Address> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  if (text.size() != 42 || text[0] != '0' || text[1] != 'x') return fail(AddressProblem::format);
  Address address;
  if (!util::from_hex(text, address.bytes)) return fail(AddressProblem::format);
  const auto digits = text.substr(2);
  bool upper = false, lower = false;
  for (const char c : digits) {
    upper = upper || (c >= 'A' && c <= 'F');
    lower = lower || (c >= 'a' && c <= 'f');
  }
  if (upper && lower && address.checksummed() != text) return fail(AddressProblem::checksum);
  if (problem != nullptr) *problem = AddressProblem::none;
  return address;
}

bool is_checksummed(std::string_view text) {
  const auto address = parse_address(text);
  return address && address->checksummed() == text;
}

}  // namespace pend::security
