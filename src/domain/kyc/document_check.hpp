// DocumentCheck: what an uploaded document is, decided from its bytes as they stream in
// (OWASP ASVS 12.1, 12.2): never from its name or Content-Type.
//   - the type is libmagic's reading of the first 64 KiB: JPEG, PNG or PDF, nothing else;
//   - an image's dimensions come from its own header (PNG IHDR, JPEG SOFn) and must lie in
//     kyc.min_image_side..kyc.max_image_side with at most kyc.max_image_pixels pixels, so a
//     small file that would decode to a huge bitmap (a decompression bomb) is refused;
//   - a PDF must not carry JavaScript, embedded files, launch actions, rich media or
//     encryption: its names (#xx escapes decoded) are read, and its Flate-compressed streams
//     (object streams hide dictionaries there) are inflated, within a bound, and read too.
//
//   DocumentCheck check(limits);
//   check.feed(piece); ...              // each piece as it arrives
//   check.finish();
//   if (check.refusal()) ... else check.type(), check.width(), check.height()
//
// No input makes it throw or hold more than the 64 KiB head and a bounded inflate window.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pend::domain::kyc {

enum class DocumentType : std::uint8_t { jpeg, png, pdf };
std::string_view content_type_of(DocumentType type);  // "image/jpeg"

struct DocumentLimits {
  unsigned min_side = 100;
  unsigned max_side = 12'000;
  std::uint64_t max_pixels = 50'000'000;
};

struct Refusal {
  std::string code;     // unsupported_type, image_dimensions, pdf_active_content, ...
  std::string message;  // for the client: what was wrong, never the content
};

// libmagic's MIME type of a buffer ("application/pdf"); one loaded database per thread.
std::string magic_mime_type(std::string_view bytes);

class DocumentCheck {
 public:
  static constexpr std::size_t kHeadBytes = 64 * 1024;  // what libmagic is shown

  explicit DocumentCheck(const DocumentLimits& limits);
  ~DocumentCheck();
  DocumentCheck(const DocumentCheck&) = delete;
  DocumentCheck& operator=(const DocumentCheck&) = delete;

  void feed(std::string_view bytes);
  void finish();

  const std::optional<Refusal>& refusal() const { return refusal_; }
  std::optional<DocumentType> type() const { return type_; }
  unsigned width() const { return width_; }
  unsigned height() const { return height_; }

  class Scanner;  // one per type, fed every byte after the type is known

 private:
  void decide_type();
  void refuse(std::string code, std::string message);

  DocumentLimits limits_;
  std::string head_;
  std::optional<DocumentType> type_;
  std::unique_ptr<Scanner> scanner_;
  std::optional<Refusal> refusal_;
  unsigned width_ = 0;
  unsigned height_ = 0;
  bool finished_ = false;
};

}  // namespace pend::domain::kyc
