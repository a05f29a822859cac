#include "support/documents.hpp"

#include <zlib.h>

#include <random>
#include <stdexcept>

namespace pend::test {

namespace {

void put32(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void png_chunk(std::string& out, const char* type, const std::string& data) {
  put32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put32(out, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                              static_cast<uInt>(body.size()))));
}

std::string deflate(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress(reinterpret_cast<Bytef*>(out.data()), &size,
               reinterpret_cast<const Bytef*>(data.data()),
               static_cast<uLong>(data.size())) != Z_OK) {
    throw std::runtime_error("compress failed");
  }
  out.resize(size);
  return out;
}

}  // namespace

std::string png_image(std::uint32_t width, std::uint32_t height) {
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, width);
  put32(ihdr, height);
  ihdr += '\x08';  // bit depth
  ihdr += '\x00';  // greyscale
  ihdr += std::string(3, '\0');
  png_chunk(out, "IHDR", ihdr);
  // Image data for small images only; a header that lies about its size gets one row.
  const std::uint64_t rows = width * static_cast<std::uint64_t>(height) <= 4'000'000 ? height : 1;
  const std::uint64_t row_bytes = width <= 4000 ? width : 1;
  std::string raw;
  for (std::uint64_t y = 0; y < rows; ++y) {
    raw += '\0';  // filter: none
    for (std::uint64_t x = 0; x < row_bytes; ++x) raw += static_cast<char>((x * 7 + y * 3) & 0xff);
  }
  png_chunk(out, "IDAT", deflate(raw));
  png_chunk(out, "IEND", "");
  return out;
}

std::string jpeg_image(std::uint16_t width, std::uint16_t height, std::size_t padding) {
  std::string out = "\xff\xd8";
  // APP0 JFIF.
  out += "\xff\xe0";
  put16(out, 16);
  out += std::string("JFIF\0", 5);
  out += std::string("\x01\x01\x00", 3);
  put16(out, 72);
  put16(out, 72);
  out += std::string(2, '\0');
  std::mt19937 random(7);
  while (padding > 0) {  // APP1 segments of up to 65533 bytes
    const std::size_t n = std::min<std::size_t>(padding, 65533);
    out += "\xff\xe1";
    put16(out, static_cast<std::uint16_t>(n + 2));
    for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(random() & 0xff);
    padding -= n;
  }
  // DQT (one table), SOF0, DHT omitted, SOS, some scan bytes, EOI.
  out += "\xff\xdb";
  put16(out, 67);
  out += '\0';
  for (int i = 0; i < 64; ++i) out += static_cast<char>(1 + i % 16);
  out += "\xff\xc0";
  put16(out, 17);
  out += '\x08';
  put16(out, height);
  put16(out, width);
  out += '\x03';
  out += std::string("\x01\x22\x00\x02\x11\x00\x03\x11\x00", 9);
  out += "\xff\xda";
  put16(out, 12);
  out += std::string("\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00", 10);
  for (int i = 0; i < 512; ++i) out += static_cast<char>((i * 31) & 0x7f);
  out += "\xff\xd9";
  return out;
}

std::string pdf_document(const std::string& extra, const std::string& objects) {
  return "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
         "1 0 obj\n<< /Type /Catalog /Pages 2 0 R " +
         extra +
         " >>\nendobj\n"
         "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
         "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n" +
         objects + "trailer\n<< /Root 1 0 R /Size 4 >>\n%%EOF\n";
}

std::string pdf_with_compressed_javascript() {
  const std::string inner = "5 0 obj << /S /JavaScript /JS (app.alert\\(1\\)) >> endobj";
  const std::string packed = deflate("5 0 " + inner);
  return pdf_document("/OpenAction 5 0 R",
                      "4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length " +
                          std::to_string(packed.size()) + " >>\nstream\n" + packed +
                          "\nendstream\nendobj\n");
}

std::string pdf_of_size(std::size_t bytes) {
  std::string data(bytes > 600 ? bytes - 600 : 16, '\0');
  std::mt19937 random(11);
  for (auto& c : data) c = static_cast<char>(random() & 0xff);
  return pdf_document("", "4 0 obj\n<< /Length " + std::to_string(data.size()) + " >>\nstream\n" +
                              data + "\nendstream\nendobj\n");
}

}  // namespace pend::test
