#include "security/random.hpp"

#include <sodium.h>

#include <stdexcept>
#include <string_view>

namespace pend::security {

namespace {

std::string random_from(std::string_view alphabet, std::size_t count) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string out(count, '\0');
  for (auto& c : out) {
    // randombytes_uniform has no modulo bias.
    c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  }
  return out;
}

}  // namespace

std::string random_string(std::string_view alphabet, std::size_t count) {
  return random_from(alphabet, count);
}

std::string random_digits(std::size_t count) { return random_from("0123456789", count); }

std::string random_alphanumeric(std::size_t count) {
  return random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", count);
}

}  // namespace pend::security
