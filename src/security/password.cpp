#include "security/password.hpp"

#include "security/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace pend::security {

std::string hash_password(std::string_view password) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MODERATE,
                        crypto_pwhash_MEMLIMIT_MODERATE) != 0) {
    throw std::runtime_error("not enough memory to hash a password");
  }
  return hash;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  // crypto_pwhash_str_verify wants a NUL-terminated string.
  const std::string terminated{stored_hash};
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_password_hash() {
  static const std::string decoy = hash_password(random_alphanumeric(32));
  return decoy;
}

}  // namespace pend::security
