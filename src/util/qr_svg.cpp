#include "util/qr_svg.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>

namespace pend::util {

namespace {
constexpr int kQuietZone = 4;
struct FreeQr {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
}  // namespace

std::string qr_svg(std::string_view text) {
  const std::string terminated{text};
  // Byte mode, any version: the whole text exactly as given.
  std::unique_ptr<QRcode, FreeQr> code(
      QRcode_encodeString8bit(terminated.c_str(), 0, QR_ECLEVEL_M));
  if (!code) throw std::invalid_argument("the text does not fit in a QR code");
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
  svg += std::to_string(size) + " " + std::to_string(size);
  svg += "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  svg += "<path fill=\"#000\" d=\"";
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 of each module is "dark" (qrencode.h).
      if ((code->data[y * width + x] & 1) == 0) continue;
      svg += 'M';
      svg += std::to_string(x + kQuietZone);
      svg += ' ';
      svg += std::to_string(y + kQuietZone);
      svg += "h1v1h-1z";
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace pend::util
