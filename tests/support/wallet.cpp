#include "support/wallet.hpp"

#include "security/keccak.hpp"
#include "security/signature.hpp"
#include "util/hex.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace pend::test {

namespace {

secp256k1_context* context() {
  static secp256k1_context* const ctx =
      secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
  return ctx;
}

std::string address_of(const unsigned char* key) {
  secp256k1_pubkey public_key;
  if (secp256k1_ec_pubkey_create(context(), &public_key, key) != 1) {
    throw std::invalid_argument("not a secp256k1 private key");
  }
  unsigned char uncompressed[65];
  std::size_t length = sizeof uncompressed;
  secp256k1_ec_pubkey_serialize(context(), uncompressed, &length, &public_key,
                                SECP256K1_EC_UNCOMPRESSED);
  const auto digest = security::keccak256({reinterpret_cast<const char*>(uncompressed) + 1, 64});
  security::Address address;
  std::memcpy(address.bytes.data(), digest.data() + 12, 20);
  return address.checksummed();
}

}  // namespace

TestWallet::TestWallet() {
  do {
    randombytes_buf(key_, sizeof key_);
  } while (secp256k1_ec_seckey_verify(context(), key_) != 1);
  address_ = address_of(key_);
}

TestWallet::TestWallet(std::string_view private_key_hex) {
  if (!util::from_hex(private_key_hex, std::span{key_, sizeof key_})) {
    throw std::invalid_argument("a private key is 32 bytes of hex");
  }
  address_ = address_of(key_);
}

std::string TestWallet::sign(std::string_view message) const {
  const auto hash = security::personal_sign_hash(message);
  secp256k1_ecdsa_recoverable_signature signature;
  if (secp256k1_ecdsa_sign_recoverable(context(), &signature, hash.data(), key_, nullptr,
                                       nullptr) != 1) {
    throw std::runtime_error("signing failed");
  }
  unsigned char compact[65];
  int recovery = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact, &recovery,
                                                          &signature);
  compact[64] = static_cast<unsigned char>(27 + recovery);
  return util::to_prefixed_hex(std::span<const std::uint8_t>{compact, sizeof compact});
}

}  // namespace pend::test
