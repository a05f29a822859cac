#include "metrics/process_metrics.hpp"

#include "util/build_info.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace pend::metrics {
namespace {

const auto kStarted = std::chrono::system_clock::now();

// utime + stime from /proc/self/stat, in seconds.
std::optional<double> cpu_seconds() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // The command name (field 2) may hold spaces; fields after its closing parenthesis.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

std::optional<std::uint64_t> resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return std::nullopt;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::optional<std::uint64_t> open_file_descriptors() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;  // possibly out of descriptors ourselves
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count > 0 ? count - 1 : 0;  // not counting the directory handle itself
}

void collect_process_metrics(PrometheusWriter& out) {
  if (const auto rss = resident_memory_bytes()) {
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {}, *rss);
  }
  if (const auto fds = open_file_descriptors()) {
    out.family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.sample("process_open_fds", {}, *fds);
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.sample("process_max_fds", {}, static_cast<std::uint64_t>(limit.rlim_cur));
  }
  if (const auto cpu = cpu_seconds()) {
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
    out.sample("process_cpu_seconds_total", {}, *cpu);
  }
  out.family("process_start_time_seconds", "gauge", "Start time since the Unix epoch.");
  out.sample("process_start_time_seconds", {},
             std::chrono::duration<double>(kStarted.time_since_epoch()).count());
}

void collect_build_info(PrometheusWriter& out) {
  const auto& info = util::build_info();
  out.family("pend_build_info", "gauge", "Build of this pend-server; always 1.");
  out.sample(
      "pend_build_info",
      {{"version", info.version}, {"git_commit", info.git_commit}, {"build_type", info.build_type}},
      std::uint64_t{1});
}

}  // namespace pend::metrics
