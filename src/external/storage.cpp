#include "external/storage.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pend::external {

namespace fs = std::filesystem;

namespace {

// The file: magic | key id length (1 byte) | key id | secretstream header | sealed chunks,
// the last tagged FINAL. Every chunk is bound to the object's key (its name) as associated
// data, so a file moved under another name does not open.
constexpr std::string_view kMagic = "PENDDOC1";
constexpr std::size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::size_t kSealedChunk = LocalStorage::kChunkBytes + kTagBytes;
constexpr std::size_t kMaxKeyId = 32;

[[noreturn]] void fail_io(const std::string& what) {
  throw StorageError(StorageError::Kind::io, what + ": " + std::strerror(errno));
}

[[noreturn]] void corrupt(const std::string& what) {
  throw StorageError(StorageError::Kind::corrupt, what);
}

void write_all(int fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io("writing a document");
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Reads until `size` bytes or the end of the file; how many it read.
std::size_t read_full(int fd, void* data, std::size_t size) {
  auto* p = static_cast<unsigned char*>(data);
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, p + got, size - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io("reading a document");
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_io("opening " + dir.string());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_io("syncing " + dir.string());
}

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), bytes);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    out += kDigits[raw[i] >> 4];
    out += kDigits[raw[i] & 0xf];
  }
  return out;
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

bool DocumentStorage::valid_key(std::string_view key) {
  if (key.size() != 32) return false;
  for (const char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

class LocalStorage::Writer final : public ObjectWriter {
 public:
  Writer(fs::path temp, fs::path target, std::string key, const StorageKey& sealing)
      : temp_(std::move(temp)), target_(std::move(target)), key_(std::move(key)), id_(sealing.id) {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) fail_io("creating " + temp_.string());
    std::array<unsigned char, kHeaderBytes> header{};
    crypto_secretstream_xchacha20poly1305_init_push(&state_, header.data(),
                                                    bytes_of(sealing.bytes));
    std::string head{kMagic};
    head += static_cast<char>(id_.size());
    head += id_;
    write_all(fd_, head.data(), head.size());
    write_all(fd_, header.data(), header.size());
    plain_.reserve(kChunkBytes);
    sealed_.resize(kSealedChunk);
  }

  ~Writer() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
      std::error_code ec;
      fs::remove(temp_, ec);
    }
    sodium_memzero(&state_, sizeof state_);
  }

  void write(std::string_view bytes) override {
    if (committed_) throw std::logic_error("ObjectWriter::write after commit");
    size_ += bytes.size();
    while (!bytes.empty()) {
      const auto take = std::min(bytes.size(), kChunkBytes - plain_.size());
      plain_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (plain_.size() == kChunkBytes) seal(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    }
  }

  void commit() override {
    if (committed_) return;
    seal(crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    if (::fsync(fd_) != 0) fail_io("syncing a document");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail_io("closing a document");
    fs::create_directories(target_.parent_path());
    if (::rename(temp_.c_str(), target_.c_str()) != 0) fail_io("renaming a document");
    committed_ = true;
    fsync_directory(target_.parent_path());
  }

  const std::string& key() const override { return key_; }
  const std::string& key_id() const override { return id_; }
  std::uint64_t size() const override { return size_; }

 private:
  void seal(unsigned char tag) {
    unsigned long long length = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state_, reinterpret_cast<unsigned char*>(sealed_.data()), &length, bytes_of(plain_),
        plain_.size(), bytes_of(key_), key_.size(), tag);
    write_all(fd_, sealed_.data(), static_cast<std::size_t>(length));
    sodium_memzero(plain_.data(), plain_.size());
    plain_.clear();
  }

  fs::path temp_;
  fs::path target_;
  std::string key_;
  std::string id_;
  int fd_ = -1;
  bool committed_ = false;
  std::uint64_t size_ = 0;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string plain_;
  std::string sealed_;
};

class LocalStorage::Reader final : public ObjectReader {
 public:
  Reader(const LocalStorage& storage, const fs::path& path, std::string key)
      : key_(std::move(key)) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT) throw StorageError(StorageError::Kind::not_found, "no such document");
      fail_io("opening a document");
    }
    std::array<char, kMagic.size() + 1> head{};
    if (read_full(fd_, head.data(), head.size()) != head.size() ||
        std::string_view(head.data(), kMagic.size()) != kMagic) {
      close_and_fail("not a sealed document");
    }
    const auto id_size = static_cast<unsigned char>(head[kMagic.size()]);
    id_.resize(id_size);
    if (id_size == 0 || id_size > kMaxKeyId || read_full(fd_, id_.data(), id_size) != id_size) {
      close_and_fail("a sealed document's header is broken");
    }
    std::array<unsigned char, kHeaderBytes> header{};
    if (read_full(fd_, header.data(), header.size()) != header.size()) {
      close_and_fail("a sealed document's header is broken");
    }
    const StorageKey* opening = nullptr;
    for (const auto& key : storage.keys_.keys) {
      if (key.id == id_) opening = &key;
    }
    if (opening == nullptr) {
      ::close(fd_);
      fd_ = -1;
      throw StorageError(StorageError::Kind::unknown_key,
                         "a document is sealed under key " + id_ + ", not in storage.keys");
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, header.data(),
                                                        bytes_of(opening->bytes)) != 0) {
      close_and_fail("a sealed document's header is broken");
    }
    sealed_.resize(kSealedChunk);
    plain_.resize(kChunkBytes);
  }

  ~Reader() override {
    if (fd_ >= 0) ::close(fd_);
    sodium_memzero(plain_.data(), plain_.size());
    sodium_memzero(&state_, sizeof state_);
  }

  std::string_view next() override {
    if (finished_) return {};
    const auto got = read_full(fd_, sealed_.data(), sealed_.size());
    if (got < kTagBytes) corrupt("a sealed document ends early");
    unsigned long long length = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &state_, reinterpret_cast<unsigned char*>(plain_.data()), &length, &tag,
            bytes_of(sealed_), got, bytes_of(key_), key_.size()) != 0) {
      corrupt("a sealed document does not authenticate");
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      finished_ = true;
      char extra = 0;
      if (read_full(fd_, &extra, 1) != 0) corrupt("a sealed document goes on past its end");
    } else if (got != sealed_.size()) {
      corrupt("a sealed document ends early");
    }
    return {plain_.data(), static_cast<std::size_t>(length)};
  }

  const std::string& key_id() const override { return id_; }

 private:
  [[noreturn]] void close_and_fail(const std::string& what) {
    ::close(fd_);
    fd_ = -1;
    corrupt(what);
  }

  std::string key_;
  std::string id_;
  int fd_ = -1;
  bool finished_ = false;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::string sealed_;
  std::string plain_;
};

LocalStorage::LocalStorage(fs::path root, StorageKeys keys)
    : root_(std::move(root)), keys_(std::move(keys)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
  (void)key_named(keys_.current);
  fs::create_directories(root_ / "tmp");
  fs::create_directories(root_ / "documents");
  ::chmod(root_.c_str(), 0700);
}

LocalStorage::~LocalStorage() {
  for (auto& key : keys_.keys) sodium_memzero(key.bytes.data(), key.bytes.size());
}

const StorageKey& LocalStorage::key_named(std::string_view id) const {
  for (const auto& key : keys_.keys) {
    if (key.id == id) return key;
  }
  throw StorageError(StorageError::Kind::unknown_key, "no storage key " + std::string{id});
}

fs::path LocalStorage::path_of(std::string_view key) const {
  return root_ / "documents" / std::string{key.substr(0, 2)} / (std::string{key} + ".pdoc");
}

std::unique_ptr<LocalStorage::Writer> LocalStorage::writer(std::string key) {
  // The temporary name is unique per writer; tmp/ is swept by the cleanup worker.
  fs::path temp = root_ / "tmp" / (key + "." + random_hex(8) + ".tmp");
  fs::path target = path_of(key);
  return std::make_unique<Writer>(std::move(temp), std::move(target), std::move(key),
                                  key_named(keys_.current));
}

std::unique_ptr<ObjectWriter> LocalStorage::create() { return writer(random_hex(16)); }

std::unique_ptr<ObjectReader> LocalStorage::open(std::string_view key) const {
  if (!valid_key(key)) throw StorageError(StorageError::Kind::not_found, "no such document");
  return std::make_unique<Reader>(*this, path_of(key), std::string{key});
}

bool LocalStorage::remove(std::string_view key) {
  if (!valid_key(key)) return false;
  const auto path = path_of(key);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    fail_io("removing a document");
  }
  fsync_directory(path.parent_path());
  return true;
}

bool LocalStorage::rekey(std::string_view key) {
  const auto reader = open(key);
  if (reader->key_id() == keys_.current) return false;
  auto out = writer(std::string{key});
  for (auto piece = reader->next(); !piece.empty(); piece = reader->next()) out->write(piece);
  out->commit();  // renamed over the old file: an open reader keeps the old one
  return true;
}

}  // namespace pend::external
