#include "security/signature.hpp"

#include "util/hex.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace pend::security {

namespace {

// One context for the process: read-only after creation, safe to share across threads.
const secp256k1_context* context() {
  static secp256k1_context* const ctx = [] {
    auto* created = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
    if (created == nullptr) throw std::runtime_error("secp256k1_context_create failed");
    return created;
  }();
  return ctx;
}

}  // namespace

Hash32 personal_sign_hash(std::string_view message) {
  std::string prefixed =
      "\x19"
      "Ethereum Signed Message:\n";
  prefixed += std::to_string(message.size());
  prefixed += message;
  return keccak256(prefixed);
}

std::optional<Address> recover_address(const Hash32& hash, std::string_view signature_hex) {
  std::array<std::uint8_t, 65> raw{};
  if (!util::is_hex(signature_hex, 130, /*prefixed=*/true) || !util::from_hex(signature_hex, raw)) {
    return std::nullopt;
  }
  int v = raw[64];
  if (v >= 27) v -= 27;
  if (v != 0 && v != 1) return std::nullopt;
  secp256k1_ecdsa_recoverable_signature signature;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &signature, raw.data(), v) !=
      1) {
    return std::nullopt;
  }
  secp256k1_pubkey key;
  if (secp256k1_ecdsa_recover(context(), &key, &signature, hash.data()) != 1) return std::nullopt;
  std::array<std::uint8_t, 65> uncompressed{};
  std::size_t length = uncompressed.size();
  secp256k1_ec_pubkey_serialize(context(), uncompressed.data(), &length, &key,
                                SECP256K1_EC_UNCOMPRESSED);
  // The address: the last 20 bytes of the Keccak-256 of the key without its 0x04 prefix.
  const auto digest =
      keccak256({reinterpret_cast<const char*>(uncompressed.data()) + 1, length - 1});
  Address address;
  std::memcpy(address.bytes.data(), digest.data() + 12, 20);
  return address;
}

std::optional<Address> recover_personal_sign(std::string_view message,
                                             std::string_view signature_hex) {
  return recover_address(personal_sign_hash(message), signature_hex);
}

}  // namespace pend::security
