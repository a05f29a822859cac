#include "security/evm_address.hpp"

#include "security/keccak.hpp"
#include "util/hex.hpp"

namespace pend::security {

std::string to_checksum(std::string_view lower_hex_40) {
  const auto hash = keccak256(lower_hex_40);
  std::string out = "0x";
  for (std::size_t i = 0; i < lower_hex_40.size(); ++i) {
    const char c = lower_hex_40[i];
    const int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
    out += (c >= 'a' && c <= 'f' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
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
