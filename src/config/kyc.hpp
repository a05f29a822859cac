// The parsed forms of the KYC settings that are lists of text: the document storage keys
// (storage.keys, storage.key_id) and the tier requirements (kyc.tiers). The loader checks
// them at start-up with these same parsers, so a running server never meets a bad entry.
//
//   const auto keys = config::storage_keys(settings.storage);   // ids and 32-byte keys
//   const auto tiers = config::kyc_tiers(settings.kyc);          // tier 2: identity_document
#pragma once

#include "config/settings.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pend::config {

struct StorageKey {
  std::string id;     // 1-32 of [A-Za-z0-9_-]
  std::string bytes;  // 32 bytes
};

// The keys documents are sealed with: the current one seals new files, the others still
// open the files sealed before a rotation.
struct StorageKeys {
  std::string current;
  std::vector<StorageKey> keys;
};

// "ID:64HEX" entries and the current id (empty: the first entry's) → keys. Throws
// std::invalid_argument naming the problem (never the key).
StorageKeys parse_storage_keys(const std::vector<std::string>& entries, std::string_view current);
// The configured keys, or in development and tests (none configured) the fixed development
// key StorageSettings::kDevelopmentKey.
StorageKeys storage_keys(const StorageSettings& settings);

// The document kinds one can upload.
inline constexpr std::string_view kDocumentKinds[] = {"identity_document", "selfie",
                                                      "proof_of_address", "source_of_funds"};

struct KycTier {
  int tier = 0;
  std::vector<std::string> documents;  // kinds from kDocumentKinds
  bool enhanced_review = false;        // "enhanced_review": a manual enhanced review
};

// "TIER KIND..." entries ("4 identity_document selfie proof_of_address") → tiers in
// ascending order. Throws std::invalid_argument naming the problem.
std::vector<KycTier> parse_kyc_tiers(const std::vector<std::string>& entries);
inline std::vector<KycTier> kyc_tiers(const KycSettings& settings) {
  return parse_kyc_tiers(settings.tiers);
}

}  // namespace pend::config
