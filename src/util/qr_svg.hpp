// A QR code (libqrencode, error correction level M) drawn as a standalone SVG: one path of
// unit squares, a 4-module quiet zone, black on white, scalable. For an admin's TOTP
// enrolment (the otpauth:// URI), so the panel needs no image library.
//
//   std::string svg = util::qr_svg("otpauth://totp/Pend:ops%40example.com?secret=...");
#pragma once

#include <string>
#include <string_view>

namespace pend::util {

// Throws std::invalid_argument when the text is too long for a QR code.
std::string qr_svg(std::string_view text);

}  // namespace pend::util
