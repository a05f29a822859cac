// The sealed document store and the upload type checks, without servers: what is on disk is
// not the input and opens back to it, a changed, cut or moved file does not open, a key
// rotation re-encrypts while a reader keeps reading, and every refused kind of upload is
// refused for the reason it should be.
#include "domain/kyc/document_check.hpp"
#include "external/storage.hpp"
#include "support/documents.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace pend::test {
namespace {

namespace fs = std::filesystem;
using domain::kyc::DocumentCheck;
using domain::kyc::DocumentType;
using external::LocalStorage;
using external::StorageError;

const std::string kKeyA = "a:" + std::string(64, 'a');
const std::string kKeyB = "b:" + std::string(64, 'b');

struct StorageTest : ::testing::Test {
  void SetUp() override {
    const char* base = std::getenv("PEND_TEST_TMPDIR");
    std::string path = std::string(base != nullptr ? base : "/tmp") + "/pend-storage-XXXXXX";
    ASSERT_NE(::mkdtemp(path.data()), nullptr);
    root = path;
  }
  void TearDown() override { fs::remove_all(root); }

  static std::string random_bytes(std::size_t n) {
    std::mt19937 random(42);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(random() & 0xff);
    return out;
  }
  static std::string read_all(external::ObjectReader& reader) {
    std::string out;
    for (auto piece = reader.next(); !piece.empty(); piece = reader.next()) out += piece;
    return out;
  }
  static std::string file_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::string store(LocalStorage& storage, const std::string& data, std::size_t piece = 1000) {
    auto writer = storage.create();
    for (std::size_t at = 0; at < data.size(); at += piece) {
      writer->write(std::string_view{data}.substr(at, piece));
    }
    writer->commit();
    EXPECT_EQ(writer->size(), data.size());
    return writer->key();
  }

  fs::path root;
};

TEST_F(StorageTest, WhatIsOnDiskIsSealedAndOpensBackToTheInput) {
  LocalStorage storage(root, config::parse_storage_keys({kKeyA}, ""));
  // Sizes around the 64 KiB chunk: empty last chunk, one byte over, several chunks.
  for (const std::size_t size : {std::size_t{1}, LocalStorage::kChunkBytes,
                                 LocalStorage::kChunkBytes + 1, std::size_t{300'000}}) {
    const auto data = random_bytes(size);
    const auto key = store(storage, data);
    ASSERT_TRUE(LocalStorage::valid_key(key));
    const auto disk = file_bytes(storage.path_of(key));
    EXPECT_EQ(disk.substr(0, 8), "PENDDOC1");
    if (size >= 64) {  // (a shorter run may turn up in any ciphertext by chance)
      EXPECT_EQ(disk.find(data.substr(0, 64)), std::string::npos);
    }
    EXPECT_GT(disk.size(), data.size());
    const auto reader = storage.open(key);
    EXPECT_EQ(reader->key_id(), "a");
    EXPECT_EQ(read_all(*reader), data) << size;
  }
  // Nothing left behind in tmp/.
  EXPECT_TRUE(fs::is_empty(root / "tmp"));
}

TEST_F(StorageTest, AWriterNotCommittedLeavesNoFile) {
  LocalStorage storage(root, config::parse_storage_keys({kKeyA}, ""));
  std::string key;
  {
    auto writer = storage.create();
    key = writer->key();
    writer->write(random_bytes(200'000));
  }
  EXPECT_TRUE(fs::is_empty(root / "tmp"));
  EXPECT_FALSE(fs::exists(storage.path_of(key)));
  EXPECT_THROW(storage.open(key), StorageError);
}

TEST_F(StorageTest, AFlippedByteATruncationOrAnExtensionIsRefused) {
  LocalStorage storage(root, config::parse_storage_keys({kKeyA}, ""));
  const auto data = random_bytes(150'000);
  const auto original = [&] { return store(storage, data); };
  auto expect_corrupt = [&](const std::string& key) {
    try {
      const auto reader = storage.open(key);
      (void)read_all(*reader);
      ADD_FAILURE() << "opened a changed file";
    } catch (const StorageError& error) {
      EXPECT_EQ(error.kind(), StorageError::Kind::corrupt) << error.what();
    }
  };
  for (const std::size_t at : {std::size_t{40}, std::size_t{70'000}, std::size_t{149'000}}) {
    const auto key = original();
    auto bytes = file_bytes(storage.path_of(key));
    bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
    std::ofstream(storage.path_of(key), std::ios::binary | std::ios::trunc) << bytes;
    expect_corrupt(key);
  }
  auto key = original();
  auto bytes = file_bytes(storage.path_of(key));
  std::ofstream(storage.path_of(key), std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() - 100);
  expect_corrupt(key);
  key = original();
  std::ofstream(storage.path_of(key), std::ios::binary | std::ios::app) << "more";
  expect_corrupt(key);
  // A file moved under another object's name does not open there either.
  const auto a = original();
  const auto b = original();
  fs::copy_file(storage.path_of(a), storage.path_of(b), fs::copy_options::overwrite_existing);
  expect_corrupt(b);
}

TEST_F(StorageTest, RotationReEncryptsWhileAReaderKeepsReading) {
  const auto data = random_bytes(400'000);
  std::string key;
  {
    LocalStorage old_keys(root, config::parse_storage_keys({kKeyA}, ""));
    key = store(old_keys, data);
  }
  LocalStorage storage(root, config::parse_storage_keys({kKeyA, kKeyB}, "b"));
  auto reader = storage.open(key);
  EXPECT_EQ(reader->key_id(), "a");
  std::string got{reader->next()};  // the first chunk, before the rotation

  EXPECT_TRUE(storage.rekey(key));
  EXPECT_FALSE(storage.rekey(key));  // under the current key already
  for (auto piece = reader->next(); !piece.empty(); piece = reader->next()) got += piece;
  EXPECT_EQ(got, data);  // the open reader read the file it opened

  const auto fresh = storage.open(key);
  EXPECT_EQ(fresh->key_id(), "b");
  EXPECT_EQ(read_all(*fresh), data);
  // Once key a is dropped, the rotated file still opens; one sealed under a only would not.
  LocalStorage only_b(root, config::parse_storage_keys({kKeyB}, ""));
  EXPECT_EQ(read_all(*only_b.open(key)), data);
  EXPECT_TRUE(fs::is_empty(root / "tmp"));
}

TEST_F(StorageTest, KeysAreCheckedAndNamesAreTheServers) {
  EXPECT_THROW(config::parse_storage_keys({"a:1234"}, ""), std::invalid_argument);
  EXPECT_THROW(config::parse_storage_keys({kKeyA, kKeyA}, ""), std::invalid_argument);
  EXPECT_THROW(config::parse_storage_keys({kKeyA}, "c"), std::invalid_argument);
  EXPECT_THROW(config::parse_storage_keys({"bad id:" + std::string(64, 'a')}, ""),
               std::invalid_argument);
  LocalStorage storage(root, config::parse_storage_keys({kKeyA}, ""));
  for (const std::string key : {"../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789",
                                "0123456789abcdef0123456789abcde/"}) {
    EXPECT_THROW(storage.open(key), StorageError) << key;
    EXPECT_FALSE(storage.remove(key));
  }
}

// ---- type checks ---------------------------------------------------------------------------

struct Checked {
  std::optional<DocumentType> type;
  std::string refusal;
  unsigned width = 0;
  unsigned height = 0;
};

Checked check(const std::string& bytes, std::size_t piece = 4096) {
  DocumentCheck c({.min_side = 100, .max_side = 12'000, .max_pixels = 50'000'000});
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    c.feed(std::string_view{bytes}.substr(at, piece));
  }
  c.finish();
  return {c.type(), c.refusal() ? c.refusal()->code : "", c.width(), c.height()};
}

TEST(DocumentCheckTest, AcceptsJpegPngAndPdfWithTheirDimensions) {
  auto png = check(png_image(640, 480));
  EXPECT_EQ(png.refusal, "");
  EXPECT_EQ(png.type, DocumentType::png);
  EXPECT_EQ(png.width, 640u);
  EXPECT_EQ(png.height, 480u);
  // The frame header behind 200 KB of EXIF, fed a byte at a time and in big pieces.
  for (const std::size_t piece : {std::size_t{1}, std::size_t{100'000}}) {
    const auto jpeg = check(jpeg_image(1200, 800, 200'000), piece);
    EXPECT_EQ(jpeg.refusal, "");
    EXPECT_EQ(jpeg.type, DocumentType::jpeg);
    EXPECT_EQ(jpeg.width, 1200u);
    EXPECT_EQ(jpeg.height, 800u);
  }
  const auto pdf = check(pdf_of_size(300'000));
  EXPECT_EQ(pdf.refusal, "");
  EXPECT_EQ(pdf.type, DocumentType::pdf);
}

TEST(DocumentCheckTest, RefusesWhatIsNotAnAcceptedDocument) {
  std::string elf =
      "\x7f"
      "ELF\x02\x01\x01";
  elf += std::string(2000, '\0');
  EXPECT_EQ(check(elf).refusal, "unsupported_type");
  EXPECT_EQ(check("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n").refusal,
            "unsupported_type");
  EXPECT_EQ(check("GIF89a" + std::string(100, '\0')).refusal, "unsupported_type");
  EXPECT_EQ(check("").refusal, "empty_document");
  // A JPEG name on PNG bytes does not matter: the bytes decide.
  EXPECT_EQ(check(png_image(200, 200)).type, DocumentType::png);
}

TEST(DocumentCheckTest, RefusesImagesOutsideTheDimensionBounds) {
  EXPECT_EQ(check(png_image(100000, 100000)).refusal, "image_dimensions");
  EXPECT_EQ(check(png_image(12'000, 12'000)).refusal, "image_dimensions");  // 144 Mpx
  EXPECT_EQ(check(png_image(50, 400)).refusal, "image_dimensions");
  EXPECT_EQ(check(jpeg_image(65000, 65000)).refusal, "image_dimensions");
  EXPECT_EQ(check(jpeg_image(0, 0)).refusal, "image_dimensions");
  auto cut = jpeg_image(800, 600, 5000);
  cut.resize(3000);  // ends inside the EXIF block
  EXPECT_EQ(check(cut).refusal, "invalid_image");
}

TEST(DocumentCheckTest, RefusesPdfsWithActiveContentHoweverWritten) {
  EXPECT_EQ(check(pdf_document("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")).refusal,
            "pdf_active_content");
  EXPECT_EQ(check(pdf_document("/OpenAction << /S /J#61vaScript /J#53 (x) >>")).refusal,
            "pdf_active_content");
  EXPECT_EQ(check(pdf_document("/Names << /EmbeddedFiles 6 0 R >>")).refusal, "pdf_active_content");
  EXPECT_EQ(check(pdf_document("/AA << /O << /S /Launch /F (cmd.exe) >> >>")).refusal,
            "pdf_active_content");
  EXPECT_EQ(check(pdf_with_compressed_javascript()).refusal, "pdf_active_content");
  EXPECT_EQ(check(pdf_with_compressed_javascript(), 1).refusal, "pdf_active_content");
  // Look-alikes are not names: text in a comment, a longer name.
  EXPECT_EQ(check(pdf_document("/JSON (x) % /JavaScript in a comment\n")).refusal, "");
}

}  // namespace
}  // namespace pend::test
