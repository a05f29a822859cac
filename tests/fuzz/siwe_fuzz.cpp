// Wallet proofs from outside: an EIP-4361 message, its times, the address in it and a
// signature over it. The parser either refuses with a reason or accepts a message that
// writes back to exactly the same text; recovery either refuses or names an address.
#include "security/evm_address.hpp"
#include "security/signature.hpp"
#include "security/siwe.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace pend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  // The last line, when it looks like one, is a signature; the rest is the message.
  std::string_view text = input;
  std::string_view signature;
  if (const auto cut = input.rfind("\n0x"); cut != std::string_view::npos) {
    text = input.substr(0, cut);
    signature = input.substr(cut + 1);
  }
  std::string why;
  const auto message = security::parse_siwe(text, &why);
  if (!message) {
    if (why.empty()) __builtin_trap();  // a refusal always says why
  } else {
    if (security::format_siwe(*message) != text) __builtin_trap();
    if (!security::is_checksummed(message->address)) __builtin_trap();
    if (!security::parse_address(message->address)) __builtin_trap();
    (void)security::parse_siwe_time(message->issued_at);
    if (message->expiration_time) (void)security::parse_siwe_time(*message->expiration_time);
    if (message->not_before) (void)security::parse_siwe_time(*message->not_before);
  }
  (void)security::parse_siwe_time(input.substr(0, 64));
  security::AddressProblem problem{};
  const auto address = security::parse_address(input.substr(0, 42), &problem);
  if (address) {
    if (problem != security::AddressProblem::none) __builtin_trap();
    if (!security::parse_address(address->checksummed())) __builtin_trap();
    if (security::to_checksum(address->lower().substr(2)) != address->checksummed())
      __builtin_trap();
  }
  if (!signature.empty()) (void)security::recover_personal_sign(text, signature);
  return 0;
}
