#include "security/secret_box.hpp"

#include "util/hex.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace pend::security {

namespace {
constexpr unsigned char kVersion = 1;
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
}  // namespace

SecretBox::SecretBox(std::string_view key) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (key.size() != kKeyBytes) throw std::invalid_argument("a SecretBox key has 32 bytes");
  std::memcpy(key_, key.data(), kKeyBytes);
}

SecretBox::~SecretBox() { sodium_memzero(key_, sizeof key_); }

std::string SecretBox::seal(std::string_view plaintext, std::string_view context) const {
  std::string box(1 + kNonce + plaintext.size() + kTag, '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  out[0] = kVersion;
  randombytes_buf(out + 1, kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + 1 + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(context.data()), context.size(),
      nullptr, out + 1, key_);
  box.resize(1 + kNonce + written);
  return box;
}

std::optional<std::string> SecretBox::open(std::string_view box, std::string_view context) const {
  if (box.size() < 1 + kNonce + kTag || static_cast<unsigned char>(box[0]) != kVersion) {
    return std::nullopt;
  }
  const auto* in = reinterpret_cast<const unsigned char*>(box.data());
  std::string plain(box.size() - 1 - kNonce - kTag, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr, in + 1 + kNonce,
          box.size() - 1 - kNonce, reinterpret_cast<const unsigned char*>(context.data()),
          context.size(), in + 1, key_) != 0) {
    return std::nullopt;
  }
  plain.resize(written);
  return plain;
}

std::optional<std::string> key_from_hex(std::string_view hex) {
  if (hex.size() != 2 * SecretBox::kKeyBytes) return std::nullopt;
  return util::from_hex(hex);
}

}  // namespace pend::security
