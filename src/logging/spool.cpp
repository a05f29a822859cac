#include "logging/spool.hpp"

#include "logging/console_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>

namespace pend::logging {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kNever = ".new.batch";

std::optional<std::uint64_t> sequence_of(const fs::path& path) {
  const std::string name = path.filename().string();
  if (name.size() != 12 + 6 && !(name.size() == 12 + kNever.size() && name.ends_with(kNever))) {
    return std::nullopt;
  }
  if (!name.ends_with(".batch")) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + 12, value);
  if (ec != std::errc{} || end != name.data() + 12) return std::nullopt;
  return value;
}

bool fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Spool::Spool(fs::path dir, std::uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
  fs::create_directories(dir_);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const auto& path = entry.path();
    if (path.extension() == ".tmp") {
      // Leftovers of an append that did not finish: never renamed, so never part of the spool.
      fs::remove(path, ec);
    } else if (const auto sequence = sequence_of(path)) {
      const std::uint64_t size = fs::file_size(path, ec);
      files_[*sequence] = {path, ec ? 0 : size, !path.string().ends_with(kNever)};
      bytes_ += ec ? 0 : size;
      next_ = std::max(next_, *sequence + 1);
    }
  }
  count_.store(files_.size(), std::memory_order_release);
}

std::uint64_t Spool::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

bool Spool::append(const std::vector<std::string>& lines, bool attempted) {
  std::string data;
  for (const auto& line : lines) {
    data += line;
    data += '\n';
  }
  // The name and the room are taken under the lock, the disk's work is done outside it: a
  // thread that only asks whether the spool is empty never waits for an fsync.
  std::uint64_t sequence;
  {
    std::lock_guard lock(mutex_);
    if (bytes_ + data.size() > max_bytes_) return false;
    sequence = next_++;
    bytes_ += data.size();
  }
  const auto give_back = [&] {
    std::lock_guard lock(mutex_);
    bytes_ -= data.size();
  };
  char name[32];
  std::snprintf(name, sizeof name, attempted ? "%012llu.batch" : "%012llu.new.batch",
                static_cast<unsigned long long>(sequence));
  const fs::path final_path = dir_ / name;
  const fs::path temporary = dir_ / (std::string{name} + ".tmp");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    give_back();
    return false;
  }
  // A batch the server refused is fsynced: it may wait out a long outage and restarts. One
  // set aside under a backlog is not: it is as safe on disk as it was in memory, and a
  // backlog is when the disk's time matters.
  const bool written = write_fully(fd, data) && (!attempted || ::fsync(fd) == 0);
  ::close(fd);
  std::error_code ec;
  if (!written) fs::remove(temporary, ec);
  if (written) fs::rename(temporary, final_path, ec);
  if (!written || ec) {
    give_back();
    return false;
  }
  if (attempted) fsync_path(dir_, O_RDONLY | O_DIRECTORY);  // the rename survives a power cut
  std::lock_guard lock(mutex_);
  files_[sequence] = {final_path, data.size(), attempted};
  count_.store(files_.size(), std::memory_order_release);
  return true;
}

std::optional<Spool::Batch> Spool::oldest() const { return oldest({}); }

std::optional<Spool::Batch> Spool::oldest(const std::set<fs::path>& skip) const {
  Batch batch;
  {
    std::lock_guard lock(mutex_);
    const auto first = std::find_if(files_.begin(), files_.end(), [&](const auto& file) {
      return !skip.contains(file.second.path);
    });
    if (first == files_.end()) return std::nullopt;
    batch.path = first->second.path;
    batch.attempted = first->second.attempted;
  }
  // A batch that cannot be read now (no file descriptor left, an I/O error) stays where it
  // is and waits for the next attempt; it is never taken for an empty one.
  std::ifstream in(batch.path);
  if (!in.is_open()) return std::nullopt;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) batch.lines.push_back(std::move(line));
  }
  if (in.bad()) return std::nullopt;
  return batch;
}

void Spool::remove(const Batch& batch) {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::remove(batch.path, ec);
  for (auto it = files_.begin(); it != files_.end(); ++it) {
    if (it->second.path == batch.path) {
      bytes_ -= it->second.bytes;
      files_.erase(it);
      count_.store(files_.size(), std::memory_order_release);
      break;
    }
  }
}

}  // namespace pend::logging
