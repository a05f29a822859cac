#include "security/digest.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace pend::security {

namespace {

std::string hex_digest(const EVP_MD* algorithm, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, algorithm, nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * length, '\0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

// Fetched once: OpenSSL 3 looks an algorithm up by name on every implicit use, which costs
// more than hashing a short input.
const EVP_MD* fetched(const char* name) {
  EVP_MD* algorithm = EVP_MD_fetch(nullptr, name, nullptr);
  if (algorithm == nullptr) throw std::runtime_error(std::string{"OpenSSL has no "} + name);
  return algorithm;  // kept for the process's life
}

}  // namespace

std::string md5_hex(std::string_view data) {
  static const EVP_MD* const algorithm = fetched("MD5");
  return hex_digest(algorithm, data);
}
std::string sha1_hex(std::string_view data) {
  static const EVP_MD* const algorithm = fetched("SHA1");
  return hex_digest(algorithm, data);
}
std::string sha256_hex(std::string_view data) {
  static const EVP_MD* const algorithm = fetched("SHA256");
  return hex_digest(algorithm, data);
}

std::string random_token(std::size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  const auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  sodium_memzero(raw.data(), raw.size());
  return out;
}

}  // namespace pend::security
