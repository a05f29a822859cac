// The parsed forms of the chain settings that are lists of text: the tracked tokens
// ("0xADDRESS ERC-20") and the contracts whose events are decoded ("0xADDRESS PATH"). The
// loader checks them at start-up with these parsers, so the indexer never meets a bad entry.
//
//   for (const auto& token : config::tracked_tokens(settings.chain)) token.address ...
#pragma once

#include "config/settings.hpp"

#include <string>
#include <vector>

namespace pend::config {

struct TrackedToken {
  std::string address;  // raw 20 bytes
  std::string type;     // ERC-20, ERC-721 or ERC-1155
};

struct ContractEntry {
  std::string address;  // raw 20 bytes
  std::string abi_path;
};

// Throw std::invalid_argument naming the entry and the problem.
std::vector<TrackedToken> tracked_tokens(const ChainSettings& chain);
std::vector<ContractEntry> contract_entries(const ChainSettings& chain);

}  // namespace pend::config
