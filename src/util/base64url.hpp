// base64url without padding (RFC 4648 section 5), the form of tokens and cursors.
//
//   std::string text = util::base64url_encode(bytes);
//   std::optional<std::string> bytes = util::base64url_decode(text);   // nullopt if malformed
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pend::util {

std::string base64url_encode(std::string_view bytes);
// Strict: the alphabet only, no padding, no white space.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace pend::util
