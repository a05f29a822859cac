// SecretBox: small secrets at rest (an admin's TOTP secret) sealed with XChaCha20-Poly1305
// (libsodium, IETF construction) under a 32-byte key from config. The box is
//   version (1 byte, 1) | nonce (24 random bytes) | ciphertext and tag
// and is bound to a context (the admin's id) as associated data: a box copied into another
// row does not open there.
//
//   SecretBox box(key_bytes);                       // exactly 32 bytes
//   std::string sealed = box.seal(secret, admin_id);
//   std::optional<std::string> opened = box.open(sealed, admin_id);   // empty if tampered
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pend::security {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  // Throws std::invalid_argument unless key has kKeyBytes bytes.
  explicit SecretBox(std::string_view key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  std::string seal(std::string_view plaintext, std::string_view context) const;
  std::optional<std::string> open(std::string_view box, std::string_view context) const;

 private:
  unsigned char key_[kKeyBytes];
};

// "64 hex digits" → 32 bytes; empty when it is not that.
std::optional<std::string> key_from_hex(std::string_view hex);

}  // namespace pend::security
