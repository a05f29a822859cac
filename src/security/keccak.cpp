#include "security/keccak.hpp"

#include "util/hex.hpp"

#include <cryptopp/keccak.h>

namespace pend::security {

Hash32 keccak256(std::string_view bytes) {
  CryptoPP::Keccak_256 hash;
  hash.Update(reinterpret_cast<const CryptoPP::byte*>(bytes.data()), bytes.size());
  Hash32 out{};
  hash.Final(out.data());
  return out;
}

std::string keccak256_hex(std::string_view bytes) { return util::to_hex(keccak256(bytes)); }

}  // namespace pend::security
