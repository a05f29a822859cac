// EIP-4361 (Sign-In with Ethereum) messages: parsed exactly by the specification's ABNF (the
// optional scheme, the RFC 3986 authority, an EIP-55 address, the fixed order of fields, the
// two empty lines, no trailing line feed), and written in the same form. What the fields must
// equal (domain, URI, chain, nonce, times) is the relying party's check (domain/auth).
//
//   std::string why;
//   auto message = security::parse_siwe(text, &why);   // nullopt: why says what is wrong
//   security::format_siwe(*message) == text            // for every message parse accepts
#pragma once

#include "util/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pend::security {

struct SiweMessage {
  std::string scheme;   // empty when the message names none (https is then assumed)
  std::string domain;   // an RFC 3986 authority: [userinfo@]host[:port]
  std::string address;  // 0x + 40 hex digits with its EIP-55 checksum
  std::optional<std::string> statement;
  std::string uri;
  std::string version = "1";
  std::uint64_t chain_id = 1;
  std::string nonce;      // at least 8 letters and digits
  std::string issued_at;  // RFC 3339, as written
  std::optional<std::string> expiration_time;
  std::optional<std::string> not_before;
  std::optional<std::string> request_id;
  std::optional<std::vector<std::string>> resources;  // "Resources:" with its items
};

inline constexpr std::size_t kMaxSiweBytes = 8 * 1024;  // a message longer is refused

std::optional<SiweMessage> parse_siwe(std::string_view text, std::string* error = nullptr);
std::string format_siwe(const SiweMessage& message);

// An RFC 3339 date-time as EIP-4361 writes it ("T" between date and time).
std::optional<util::Microseconds> parse_siwe_time(std::string_view text);

}  // namespace pend::security
