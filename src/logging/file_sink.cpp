#include "logging/file_sink.hpp"

#include "logging/console_sink.hpp"
#include "util/time.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <system_error>

namespace pend::logging {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kReleaseEvery = 4 << 20;

// writev in chunks of IOV_MAX, after partial writes too.
bool writev_fully(int fd, std::vector<iovec>& pieces) {
  std::size_t next = 0;
  while (next < pieces.size()) {
    const auto count = static_cast<int>(std::min<std::size_t>(pieces.size() - next, IOV_MAX));
    const ssize_t n = ::writev(fd, pieces.data() + next, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto written = static_cast<std::size_t>(n);
    while (next < pieces.size() && written >= pieces[next].iov_len) {
      written -= pieces[next++].iov_len;
    }
    if (written > 0) {
      pieces[next].iov_base = static_cast<char*>(pieces[next].iov_base) + written;
      pieces[next].iov_len -= written;
    }
  }
  return true;
}

std::string date_of(std::chrono::system_clock::time_point at) { return util::format_date(at); }

bool is_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

// "{name}-{date}.log" or "{name}-{date}.{part}.log": the date and part, else false.
bool parse_file_name(std::string_view file, std::string_view name, std::string& date,
                     unsigned& part) {
  if (!file.starts_with(name) || file.size() < name.size() + 1 + 10 + 4) return false;
  file.remove_prefix(name.size());
  if (file.front() != '-') return false;
  file.remove_prefix(1);
  if (!is_date(file.substr(0, 10)) || !file.ends_with(".log")) return false;
  date = file.substr(0, 10);
  std::string_view rest = file.substr(10, file.size() - 10 - 4);  // "" or ".N"
  part = 0;
  if (rest.empty()) return true;
  if (rest.front() != '.' || rest.size() < 2) return false;
  rest.remove_prefix(1);
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), part);
  return ec == std::errc{} && end == rest.data() + rest.size() && part > 0;
}

}  // namespace

FileSink::FileSink(FileSinkOptions options)
    : Sink(options.level, options.filter), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  fs::create_directories(options_.dir);
  remove_expired();
}

FileSink::~FileSink() {
  flush();
  if (fd_ >= 0) ::close(fd_);
}

const std::string& FileSink::today() {
  using days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
  const auto now = options_.clock();
  // Also when the clock went back past today's start (an NTP step, a test's clock).
  if (today_.empty() || now >= next_midnight_ || now < next_midnight_ - days{1}) {
    today_ = date_of(now);
    next_midnight_ = std::chrono::floor<days>(now) + days{1};
  }
  return today_;
}

fs::path FileSink::path_for(const std::string& date, unsigned part) const {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on "." + string.
  std::string file = options_.name;
  file += '-';
  file += date;
  if (part > 0) {
    file += '.';
    file += std::to_string(part);
  }
  file += ".log";
  return options_.dir / file;
}

void FileSink::open_for(const std::string& date) {
  flush();
  const bool was_open = fd_ >= 0;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const bool new_day = date != date_;
  if (new_day) {
    // Continue the day's numbering after a restart: the highest part there is.
    part_ = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
      std::string file_date;
      unsigned part = 0;
      if (parse_file_name(entry.path().filename().string(), options_.name, file_date, part) &&
          file_date == date) {
        part_ = std::max(part_, part);
      }
    }
    date_ = date;
    remove_expired();
  } else if (was_open) {
    ++part_;  // the size cap: the next part of the same day (not a retry after a failure)
  }
  for (;;) {
    path_ = path_for(date_, part_);
    std::error_code ec;
    const auto size = fs::exists(path_, ec) ? fs::file_size(path_, ec) : 0;
    if (ec || size < options_.max_bytes) {
      bytes_ = ec ? 0 : size;
      break;
    }
    ++part_;  // that part is full already
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0 && errno == ENOENT) {  // the directory was removed: made again
    std::error_code ec;
    fs::create_directories(options_.dir, ec);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  }
  released_to_ = bytes_;
  if (fd_ < 0) ++write_failures_;
}

void FileSink::write(const RecordMeta&, std::string_view line) {
  // The date is read once per pass of the writer (the first write after a flush), not per
  // entry: a clock call per line per stream is a measurable part of the access log's cost.
  if (pending_.empty()) {
    const std::string& date = today();
    if (fd_ < 0 || date != date_) open_for(date);
  }
  if (bytes_ > 0 && bytes_ + line.size() > options_.max_bytes) open_for(date_);
  // The line stays valid until flush(): no copy, one writev per pass.
  pending_.push_back({const_cast<char*>(line.data()), line.size()});
  bytes_ += line.size();
}

void FileSink::flush() {
  if (pending_.empty()) return;
  if (fd_ < 0 || !writev_fully(fd_, pending_)) ++write_failures_;  // disk full, removed dir...
  pending_.clear();
  // A log file is written once and read rarely: its writeback starts every few MiB and its
  // pages are let go once written back, so the streams neither crowd out the page cache nor
  // need fresh memory for every line (the pages let go are reused for the next ones).
  if (fd_ >= 0 && bytes_ - released_to_ >= kReleaseEvery) {
    ::sync_file_range(fd_, static_cast<off_t>(released_to_),
                      static_cast<off_t>(bytes_ - released_to_), SYNC_FILE_RANGE_WRITE);
    if (released_to_ > 0) {
      ::posix_fadvise(fd_, 0, static_cast<off_t>(released_to_), POSIX_FADV_DONTNEED);
    }
    released_to_ = bytes_;
  }
}

std::size_t FileSink::remove_expired() {
  const auto cutoff = date_of(options_.clock() - std::chrono::hours(24) * options_.retention_days);
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    std::string file_date;
    unsigned part = 0;
    if (!parse_file_name(entry.path().filename().string(), options_.name, file_date, part)) {
      continue;
    }
    // ISO dates compare as text. A file dated the cutoff day is kept: it is exactly as old
    // as the retention.
    if (file_date < cutoff && fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace pend::logging
