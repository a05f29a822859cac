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

std::optional<std::uint64_t> sequence_of(const fs::path& path) {
  const std::string name = path.filename().string();
  if (!name.ends_with(".batch") || name.size() != 12 + 6) return std::nullopt;
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
  for (const auto& path : files()) next_ = std::max(next_, *sequence_of(path) + 1);
  // Leftovers of an append that did not finish: never renamed, so never part of the spool.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() == ".tmp") fs::remove(entry.path(), ec);
  }
}

std::vector<fs::path> Spool::files() const {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (sequence_of(entry.path())) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());  // fixed-width numbers sort as text
  return out;
}

std::size_t Spool::count() const { return files().size(); }

std::uint64_t Spool::bytes() const {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& path : files()) total += fs::file_size(path, ec);
  return total;
}

bool Spool::append(const std::vector<std::string>& lines) {
  std::string data;
  for (const auto& line : lines) {
    data += line;
    data += '\n';
  }
  if (bytes() + data.size() > max_bytes_) return false;
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.batch", static_cast<unsigned long long>(next_));
  const fs::path final_path = dir_ / name;
  const fs::path temporary = dir_ / (std::string{name} + ".tmp");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  const bool written = write_fully(fd, data) && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (!written) {
    fs::remove(temporary, ec);
    return false;
  }
  fs::rename(temporary, final_path, ec);
  if (ec) return false;
  fsync_path(dir_, O_RDONLY | O_DIRECTORY);  // the rename itself survives a power cut
  ++next_;
  return true;
}

std::optional<Spool::Batch> Spool::oldest() const {
  const auto all = files();
  if (all.empty()) return std::nullopt;
  Batch batch{all.front(), {}};
  std::ifstream in(batch.path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) batch.lines.push_back(std::move(line));
  }
  return batch;
}

void Spool::remove(const Batch& batch) {
  std::error_code ec;
  fs::remove(batch.path, ec);
}

}  // namespace pend::logging
