// Who signed a message: EIP-191 personal_sign ("\x19Ethereum Signed Message:\n" + the
// message's length in decimal + the message, hashed with Keccak-256) and secp256k1 public-key
// recovery (libsecp256k1's recovery module), giving the signer's address. Signatures are
// r || s || v, 65 bytes, v in {27, 28} or {0, 1}.
//
//   auto signer = security::recover_personal_sign(message, "0x...130 hex...");
//   if (signer && *signer == claimed) ...
#pragma once

#include "security/evm_address.hpp"
#include "security/keccak.hpp"

#include <optional>
#include <string_view>

namespace pend::security {

Hash32 personal_sign_hash(std::string_view message);

// The address whose key made signature over hash; nullopt when the signature is malformed
// or recovers no key.
std::optional<Address> recover_address(const Hash32& hash, std::string_view signature_hex);
std::optional<Address> recover_personal_sign(std::string_view message,
                                             std::string_view signature_hex);

}  // namespace pend::security
