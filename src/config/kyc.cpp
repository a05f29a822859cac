#include "config/kyc.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace pend::config {

namespace {

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  return std::ranges::all_of(id, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StorageKeys parse_storage_keys(const std::vector<std::string>& entries, std::string_view current) {
  StorageKeys out;
  for (const auto& entry : entries) {
    const auto colon = entry.find(':');
    const std::string id = entry.substr(0, colon);
    if (colon == std::string::npos || !valid_key_id(id)) {
      throw std::invalid_argument("a storage key is ID:64HEX, its id 1-32 of A-Z a-z 0-9 _ -");
    }
    const std::string_view hex = std::string_view{entry}.substr(colon + 1);
    if (hex.size() != 64)
      throw std::invalid_argument("storage key " + id + " is not 64 hex digits");
    std::string bytes(32, '\0');
    for (std::size_t i = 0; i < 32; ++i) {
      const int hi = hex_digit(hex[2 * i]);
      const int lo = hex_digit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        throw std::invalid_argument("storage key " + id + " is not 64 hex digits");
      }
      bytes[i] = static_cast<char>(hi * 16 + lo);
    }
    for (const auto& key : out.keys) {
      if (key.id == id) throw std::invalid_argument("storage key " + id + " is listed twice");
    }
    out.keys.push_back({id, std::move(bytes)});
  }
  if (out.keys.empty()) throw std::invalid_argument("storage.keys lists no key");
  out.current = current.empty() ? out.keys.front().id : std::string{current};
  const bool found =
      std::ranges::any_of(out.keys, [&](const auto& k) { return k.id == out.current; });
  if (!found) {
    throw std::invalid_argument("storage.key_id '" + out.current + "' names none of storage.keys");
  }
  return out;
}

StorageKeys storage_keys(const StorageSettings& settings) {
  if (settings.keys.empty()) {
    return parse_storage_keys({std::string{StorageSettings::kDevelopmentKey}}, settings.key_id);
  }
  return parse_storage_keys(settings.keys, settings.key_id);
}

std::vector<KycTier> parse_kyc_tiers(const std::vector<std::string>& entries) {
  std::vector<KycTier> tiers;
  for (const auto& entry : entries) {
    std::istringstream words(entry);
    std::string first;
    words >> first;
    KycTier tier;
    const auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), tier.tier);
    if (ec != std::errc{} || end != first.data() + first.size() || tier.tier < 1 || tier.tier > 5) {
      throw std::invalid_argument("kyc.tiers: '" + entry + "' must start with a tier, 1 to 5");
    }
    for (std::string word; words >> word;) {
      if (word == "enhanced_review") {
        tier.enhanced_review = true;
      } else if (std::ranges::find(kDocumentKinds, word) != std::end(kDocumentKinds)) {
        if (std::ranges::find(tier.documents, word) == tier.documents.end()) {
          tier.documents.push_back(word);
        }
      } else {
        throw std::invalid_argument("kyc.tiers: '" + word +
                                    "' is not a document kind (identity_document, selfie, "
                                    "proof_of_address, source_of_funds) or enhanced_review");
      }
    }
    if (tier.documents.empty()) {
      throw std::invalid_argument("kyc.tiers: tier " + first + " needs at least one document");
    }
    for (const auto& other : tiers) {
      if (other.tier == tier.tier) {
        throw std::invalid_argument("kyc.tiers: tier " + first + " is listed twice");
      }
    }
    tiers.push_back(std::move(tier));
  }
  std::ranges::sort(tiers, {}, &KycTier::tier);
  return tiers;
}

}  // namespace pend::config
