// TestWallet: an Ethereum key for tests, signing the way wallets do (EIP-191 personal_sign,
// RFC 6979 deterministic nonces, v = 27 or 28) with libsecp256k1. A fresh random key unless
// one is given.
#pragma once

#include <string>
#include <string_view>

namespace pend::test {

class TestWallet {
 public:
  TestWallet();  // a random key
  explicit TestWallet(std::string_view private_key_hex);

  const std::string& address() const { return address_; }  // EIP-55
  std::string sign(std::string_view message) const;        // 0x + r s v, 130 hex digits

 private:
  unsigned char key_[32];
  std::string address_;
};

}  // namespace pend::test
