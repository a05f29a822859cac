// Sample documents for the KYC tests, built byte by byte: a real PNG (IHDR, IDAT, IEND with
// their CRCs), a baseline JPEG's markers, small PDFs with and without active content, and
// the hostile kinds an upload must refuse.
#pragma once

#include <cstdint>
#include <string>

namespace pend::test {

std::string png_image(std::uint32_t width, std::uint32_t height);
// A JPEG whose frame header says width x height, with `padding` bytes of APP1 data first
// (a big EXIF block puts the frame header far from the start).
std::string jpeg_image(std::uint16_t width, std::uint16_t height, std::size_t padding = 0);
// A one-page PDF; `extra` goes into the catalog dictionary (e.g. "/OpenAction 5 0 R").
std::string pdf_document(const std::string& extra = {}, const std::string& objects = {});
// A PDF whose JavaScript action hides in a Flate-compressed object stream.
std::string pdf_with_compressed_javascript();
// A document of about `bytes` bytes: a PDF carrying an uncompressed binary stream.
std::string pdf_of_size(std::size_t bytes);

}  // namespace pend::test
