// Document storage (the plan's storage.service): KYC documents at rest, encrypted. One
// interface, DocumentStorage, and one backend here, LocalStorage: files under
// storage.upload_dir (never a served path), named by the server, each sealed with libsodium's
// secretstream (XChaCha20-Poly1305) in 64 KiB chunks under a key from storage.keys. The key's
// id is in each file's header, so keys rotate: `pend-server kyc rotate-keys` re-encrypts the
// files under an old key (rekey()), and a file reads under whichever key its header names.
// docs/architecture/kyc.md shows the format and where an S3-compatible backend would fit
// (the same interface: a multipart upload for ObjectWriter, a ranged GET for ObjectReader).
//
//   LocalStorage storage(upload_dir, keys);
//   auto writer = storage.create();          // a new, server-generated key
//   writer->write(piece); ...                // encrypted as it comes
//   writer->commit();                        // fsync, rename, fsync the directory
//   auto reader = storage.open(writer->key());
//   for (auto piece = reader->next(); !piece.empty(); piece = reader->next()) ...
//
// The calls block (file I/O, fsync): callers on a shard's loop hand them to the work pool.
// An object is written by one thread at a time; distinct objects are independent.
#pragma once

#include "config/kyc.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pend::external {

class StorageError : public std::runtime_error {
 public:
  enum class Kind : std::uint8_t { not_found, corrupt, unknown_key, io };
  StorageError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

using StorageKey = config::StorageKey;
using StorageKeys = config::StorageKeys;

class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;  // not committed: the partial file is removed
  virtual void write(std::string_view bytes) = 0;
  // Durable and visible under key() once this returns.
  virtual void commit() = 0;
  virtual const std::string& key() const = 0;
  virtual const std::string& key_id() const = 0;
  virtual std::uint64_t size() const = 0;  // plaintext bytes written
};

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // The next piece of plaintext, authenticated; empty at the end. Throws StorageError
  // (corrupt) for a changed, truncated or extended file.
  virtual std::string_view next() = 0;
  virtual const std::string& key_id() const = 0;
};

class DocumentStorage {
 public:
  virtual ~DocumentStorage() = default;
  virtual std::unique_ptr<ObjectWriter> create() = 0;
  // Throws StorageError: not_found, unknown_key, corrupt (a header that is not ours).
  virtual std::unique_ptr<ObjectReader> open(std::string_view key) const = 0;
  virtual bool remove(std::string_view key) = 0;  // false when there was none
  // Re-encrypts one object under the current key; false when it is under it already.
  // Readers that opened it before keep reading what they opened.
  virtual bool rekey(std::string_view key) = 0;
  virtual const std::string& current_key_id() const = 0;
  // Whether a key has the form create() gives (32 lowercase hex digits).
  static bool valid_key(std::string_view key);
};

class LocalStorage final : public DocumentStorage {
 public:
  // Plaintext bytes per sealed chunk.
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  LocalStorage(std::filesystem::path root, StorageKeys keys);
  ~LocalStorage() override;

  std::unique_ptr<ObjectWriter> create() override;
  std::unique_ptr<ObjectReader> open(std::string_view key) const override;
  bool remove(std::string_view key) override;
  bool rekey(std::string_view key) override;
  const std::string& current_key_id() const override { return keys_.current; }

  // Where an object's file is (root/documents/ab/<key>.pdoc); for tests and the CLI.
  std::filesystem::path path_of(std::string_view key) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  class Writer;
  class Reader;
  const StorageKey& key_named(std::string_view id) const;
  std::unique_ptr<Writer> writer(std::string key);

  std::filesystem::path root_;
  StorageKeys keys_;
};

}  // namespace pend::external
