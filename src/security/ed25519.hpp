// Ed25519 signatures (libsodium): the signed checkpoints of the admin audit chain. The key
// is a 32-byte seed from config; the public key is derived from it and may be handed to
// whoever verifies (pend-server audit verify --public-key).
//
//   const Ed25519Key key(seed);                       // 32 bytes
//   std::string signature = key.sign(message);        // 64 bytes
//   security::ed25519_verify(key.public_key(), message, signature)
#pragma once

#include <string>
#include <string_view>

namespace pend::security {

class Ed25519Key {
 public:
  // Throws std::invalid_argument unless seed has 32 bytes.
  explicit Ed25519Key(std::string_view seed);
  ~Ed25519Key();
  Ed25519Key(const Ed25519Key&) = delete;
  Ed25519Key& operator=(const Ed25519Key&) = delete;

  const std::string& public_key() const { return public_key_; }  // 32 bytes
  std::string sign(std::string_view message) const;              // 64 bytes

 private:
  std::string public_key_;
  unsigned char secret_[64];
};

bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature);

}  // namespace pend::security
