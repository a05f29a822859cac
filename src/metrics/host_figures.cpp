#include "metrics/host_figures.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace pend::metrics {

namespace {

std::optional<std::string> slurp(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number after "Key:" on the line that starts with it.
std::optional<std::uint64_t> field_of(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const auto line = text.substr(at, end == std::string_view::npos ? text.npos : end - at);
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':') {
      std::istringstream value{std::string{line.substr(key.size() + 1)}};
      std::uint64_t number = 0;
      if (value >> number) return number;
      return std::nullopt;
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<CpuTimes> parse_proc_stat(std::string_view text) {
  if (!text.starts_with("cpu ")) return std::nullopt;
  std::istringstream fields{std::string{text.substr(4, text.find('\n'))}};
  // user nice system idle iowait irq softirq steal (guest time is within user already)
  std::uint64_t value[8] = {};
  for (auto& v : value) {
    if (!(fields >> v)) return std::nullopt;
  }
  CpuTimes times;
  for (const auto v : value) times.total += v;
  times.busy = times.total - value[3] - value[4];  // not idle, not waiting for I/O
  return times;
}

std::optional<MemoryFigures> parse_meminfo(std::string_view text) {
  const auto total = field_of(text, "MemTotal");
  const auto available = field_of(text, "MemAvailable");
  if (!total || !available || *total == 0) return std::nullopt;
  return MemoryFigures{*total, *available};
}

std::optional<NetworkBytes> parse_net_dev(std::string_view text) {
  NetworkBytes bytes;
  std::istringstream lines{std::string{text}};
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream fields{line.substr(colon + 1)};
    std::uint64_t received = 0, skip = 0, transmitted = 0;
    if (!(fields >> received)) continue;
    for (int i = 0; i < 7; ++i)
      fields >> skip;  // packets errs drop fifo frame compressed multicast
    if (!(fields >> transmitted)) continue;
    bytes.received += received;
    bytes.transmitted += transmitted;
    any = true;
  }
  if (!any) return NetworkBytes{};
  return bytes;
}

std::optional<ProcessFigures> parse_process(std::string_view stat, std::string_view status) {
  // The command (field 2) may hold spaces and parentheses: fields after its last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 > stat.size()) return std::nullopt;
  std::istringstream fields{std::string{stat.substr(close + 2)}};
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  std::uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  const auto threads = field_of(status, "Threads");
  return ProcessFigures{utime + stime, threads.value_or(0)};
}

std::optional<DiskFigures> read_disk(const std::filesystem::path& path) {
  // A directory not made yet lives on its nearest existing parent's filesystem.
  std::filesystem::path where = std::filesystem::absolute(path);
  std::error_code ec;
  while (!std::filesystem::exists(where, ec) && where.has_parent_path() &&
         where.parent_path() != where) {
    where = where.parent_path();
  }
  struct statvfs fs {};
  if (::statvfs(where.c_str(), &fs) != 0 || fs.f_blocks == 0) return std::nullopt;
  return DiskFigures{static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize,
                     static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize};
}

std::optional<CpuTimes> read_cpu() {
  const auto text = slurp("/proc/stat");
  return text ? parse_proc_stat(*text) : std::nullopt;
}

std::optional<MemoryFigures> read_memory() {
  const auto text = slurp("/proc/meminfo");
  return text ? parse_meminfo(*text) : std::nullopt;
}

std::optional<NetworkBytes> read_network() {
  const auto text = slurp("/proc/net/dev");
  return text ? parse_net_dev(*text) : std::nullopt;
}

std::optional<ProcessFigures> read_process() {
  const auto stat = slurp("/proc/self/stat");
  const auto status = slurp("/proc/self/status");
  return stat && status ? parse_process(*stat, *status) : std::nullopt;
}

std::optional<double> read_load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  if (!(in >> one)) return std::nullopt;
  return one;
}

long clock_ticks_per_second() { return ::sysconf(_SC_CLK_TCK); }

double busy_percent(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total) return 0;
  return 100.0 * static_cast<double>(after.busy - before.busy) /
         static_cast<double>(after.total - before.total);
}

}  // namespace pend::metrics
