#include "security/digest.hpp"

#include "util/base64url.hpp"
#include "util/hex.hpp"

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
  return util::to_hex(std::span{digest.data(), length});
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
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out = util::base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return out;
}

}  // namespace pend::security
