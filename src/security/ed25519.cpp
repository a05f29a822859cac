#include "security/ed25519.hpp"

#include <sodium.h>

#include <stdexcept>

namespace pend::security {

Ed25519Key::Ed25519Key(std::string_view seed) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (seed.size() != crypto_sign_SEEDBYTES) {
    throw std::invalid_argument("an Ed25519 seed has 32 bytes");
  }
  public_key_.resize(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(public_key_.data()), secret_,
                           reinterpret_cast<const unsigned char*>(seed.data()));
}

Ed25519Key::~Ed25519Key() { sodium_memzero(secret_, sizeof secret_); }

std::string Ed25519Key::sign(std::string_view message) const {
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_);
  return signature;
}

bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace pend::security
