// Uploaded documents from outside: any bytes, fed in pieces the first byte chooses, through
// the upload type checks (libmagic, the PNG and JPEG headers, the PDF name scanner with its
// inflater). The check never crashes and always ends decided: a type, or a refusal with a
// code and a message; an accepted image has dimensions within the limits.
#include "domain/kyc/document_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace pend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 97;
  const std::string_view bytes{reinterpret_cast<const char*>(data) + 1, size - 1};
  const domain::kyc::DocumentLimits limits{
      .min_side = 1, .max_side = 4000, .max_pixels = 1'000'000};
  domain::kyc::DocumentCheck check(limits);
  for (std::size_t at = 0; at < bytes.size(); at += piece) check.feed(bytes.substr(at, piece));
  check.finish();
  if (check.refusal()) {
    if (check.refusal()->code.empty() || check.refusal()->message.empty()) __builtin_trap();
    return 0;
  }
  if (!check.type()) __builtin_trap();
  if (*check.type() != domain::kyc::DocumentType::pdf) {
    const std::uint64_t pixels = std::uint64_t{check.width()} * check.height();
    if (check.width() > limits.max_side || check.height() > limits.max_side ||
        pixels > limits.max_pixels || check.width() < limits.min_side) {
      __builtin_trap();
    }
  }
  return 0;
}
