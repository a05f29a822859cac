#include "logging/spool.hpp"

#include "logging/console_sink.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <stdexcept>

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

// The slot number of a directory named first (0) or first.N, N > 0.
std::optional<unsigned> slot_of(std::string_view name, std::string_view first) {
  if (name == first) return 0u;
  if (!name.starts_with(first) || name.size() < first.size() + 2 || name[first.size()] != '.') {
    return std::nullopt;
  }
  unsigned slot = 0;
  const char* begin = name.data() + first.size() + 1;
  const auto [end, ec] = std::from_chars(begin, name.data() + name.size(), slot);
  if (ec != std::errc{} || end != name.data() + name.size() || slot == 0 || *begin == '0') {
    return std::nullopt;
  }
  return slot;
}

bool fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Spool::Spool(const fs::path& dir, std::uint64_t max_bytes) : max_bytes_(max_bytes) {
  take_slot(dir);
  read_own();
  // The slots no process holds, in their order, behind this spool's own batches.
  const std::string first = dir.filename().string();
  std::map<unsigned, fs::path> others;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.parent_path(), ec)) {
    const auto slot = slot_of(entry.path().filename().string(), first);
    if (slot && entry.path() != dir_ && entry.is_directory(ec)) others[*slot] = entry.path();
  }
  for (const auto& [slot, path] : others) adopt(path);
  count_.store(files_.size(), std::memory_order_release);
}

Spool::~Spool() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // the flock goes with it
}

void Spool::take_slot(const fs::path& first) {
  for (unsigned slot = 0; slot < kMaxSlots;) {
    const fs::path path = slot == 0 ? first : fs::path(first.string() + "." + std::to_string(slot));
    fs::create_directories(path);
    switch (const int fd = lock(path)) {
      case kHeld:
        ++slot;
        break;
      case kGone:
        break;  // an adopter removed it as this process took it: the same slot again
      default:
        dir_ = path;
        lock_fd_ = fd;
        return;
    }
  }
  throw std::runtime_error("every spool slot of " + first.string() + " is held");
}

void Spool::read_own() {
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
}

void Spool::adopt(const fs::path& slot) {
  int fd = kHeld;
  try {
    fd = lock(slot);
  } catch (const fs::filesystem_error&) {
    return;  // not this process's to open (another user's, removed as it was looked at)
  }
  if (fd < 0) return;  // its process is alive (or it is gone already)
  std::map<std::uint64_t, fs::path> batches;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(slot, ec)) {
    if (const auto sequence = sequence_of(entry.path())) batches[*sequence] = entry.path();
  }
  bool moved_all = true;
  for (const auto& [sequence, from] : batches) {
    const bool attempted = !from.string().ends_with(kNever);
    char name[32];
    std::snprintf(name, sizeof name, attempted ? "%012llu.batch" : "%012llu.new.batch",
                  static_cast<unsigned long long>(next_));
    const fs::path to = dir_ / name;
    fs::rename(from, to, ec);
    if (ec) {
      moved_all = false;  // stays there, for whoever takes that slot
      continue;
    }
    ++next_;
    const std::uint64_t size = fs::file_size(to, ec);
    files_[next_ - 1] = {to, ec ? 0 : size, attempted};
    bytes_ += ec ? 0 : size;
  }
  if (!batches.empty()) {
    fsync_path(dir_, O_RDONLY | O_DIRECTORY);
    fsync_path(slot, O_RDONLY | O_DIRECTORY);
  }
  if (moved_all) {
    // Emptied: the lock file goes first, so a process that opens it from now on makes a new
    // one (and sees that this one is gone if it opened it before).
    for (const auto& entry : fs::directory_iterator(slot, ec)) {
      if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ec);
    }
    fs::remove(slot / ".lock", ec);
    fs::remove(slot, ec);  // fails if it is the first slot's or someone is making it again
  }
  ::close(fd);
}

int Spool::lock(const fs::path& slot) {
  const fs::path path = slot / ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    throw fs::filesystem_error("cannot open the spool's lock", path,
                               std::error_code(errno, std::generic_category()));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) return kHeld;
    throw fs::filesystem_error("cannot lock the spool", path,
                               std::error_code(error, std::generic_category()));
  }
  // Locked, but perhaps a file an adopter had already removed: only the file still at the
  // path counts.
  struct stat held {};
  struct stat now {};
  if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &now) != 0 || held.st_ino != now.st_ino ||
      held.st_dev != now.st_dev) {
    ::close(fd);
    return kGone;
  }
  return fd;
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
