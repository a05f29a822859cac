#include "config/chain.hpp"

#include "security/evm_address.hpp"

#include <stdexcept>

namespace pend::config {

namespace {

// "0xADDRESS REST": the address's bytes and the rest, trimmed.
std::pair<std::string, std::string> split_entry(const std::string& entry, const char* what) {
  const auto space = entry.find_first_of(" \t");
  const auto rest_at = space == std::string::npos ? space : entry.find_first_not_of(" \t", space);
  if (rest_at == std::string::npos)
    throw std::invalid_argument("\"" + entry + "\": expected 0xADDRESS " + what);
  const auto address = security::parse_address(std::string_view{entry}.substr(0, space));
  if (!address)
    throw std::invalid_argument("\"" + entry +
                                "\": not an address (0x and 40 hex digits, EIP-55 when mixed)");
  auto rest = entry.substr(rest_at);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.pop_back();
  return {std::string(reinterpret_cast<const char*>(address->bytes.data()), 20), rest};
}

}  // namespace

std::vector<TrackedToken> tracked_tokens(const ChainSettings& chain) {
  std::vector<TrackedToken> out;
  for (const auto& entry : chain.tracked_tokens) {
    auto [address, type] = split_entry(entry, "ERC-20|ERC-721|ERC-1155");
    if (type != "ERC-20" && type != "ERC-721" && type != "ERC-1155")
      throw std::invalid_argument("\"" + entry +
                                  "\": the type must be ERC-20, ERC-721 or ERC-1155");
    out.push_back({std::move(address), std::move(type)});
  }
  return out;
}

std::vector<ContractEntry> contract_entries(const ChainSettings& chain) {
  std::vector<ContractEntry> out;
  for (const auto& entry : chain.contracts) {
    auto [address, path] = split_entry(entry, "PATH-TO-JSON-ABI");
    out.push_back({std::move(address), std::move(path)});
  }
  return out;
}

}  // namespace pend::config
