// UUIDs in their canonical text form (8-4-4-4-12 hex digits), through Boost.UUID.
//
//   std::optional<boost::uuids::uuid> id = util::parse_uuid(text);   // either case
//   std::string text = util::to_string(*id);                           // lowercase
#pragma once

#include <boost/uuid/uuid.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pend::util {

// Whether text is a UUID in canonical form: 36 characters, hyphens at 8, 13, 18 and 23, hex
// digits of either case elsewhere (no braces, no missing hyphens).
bool is_uuid(std::string_view text);
std::optional<boost::uuids::uuid> parse_uuid(std::string_view text);
std::string to_string(const boost::uuids::uuid& id);
// A version-4 UUID from libsodium's CSPRNG, as text (ids a client must not guess).
std::string random_uuid();

}  // namespace pend::util
