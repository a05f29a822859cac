// HostFigures: what the metrics-collector reads of its own host and process, from /proc and
// statvfs. The parsers take the files' text, so tests feed them fixed samples; read_*()
// read the live files. Rates and percentages need two samples: the collector keeps the
// last one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace pend::metrics {

struct CpuTimes {  // /proc/stat's first line, in ticks
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};
std::optional<CpuTimes> parse_proc_stat(std::string_view text);

struct MemoryFigures {  // /proc/meminfo, in KiB
  std::uint64_t total_kib = 0;
  std::uint64_t available_kib = 0;
};
std::optional<MemoryFigures> parse_meminfo(std::string_view text);

struct NetworkBytes {  // /proc/net/dev, summed over every interface but lo
  std::uint64_t received = 0;
  std::uint64_t transmitted = 0;
};
std::optional<NetworkBytes> parse_net_dev(std::string_view text);

struct ProcessFigures {         // /proc/self/stat and /proc/self/status
  std::uint64_t cpu_ticks = 0;  // utime + stime
  std::uint64_t threads = 0;
};
std::optional<ProcessFigures> parse_process(std::string_view stat, std::string_view status);

struct DiskFigures {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;  // to unprivileged users
};
std::optional<DiskFigures> read_disk(const std::filesystem::path& path);

std::optional<CpuTimes> read_cpu();
std::optional<MemoryFigures> read_memory();
std::optional<NetworkBytes> read_network();
std::optional<ProcessFigures> read_process();
std::optional<double> read_load_average();  // the 1-minute one
long clock_ticks_per_second();

// busy / total between two samples, as a percentage (0 when no time passed).
double busy_percent(const CpuTimes& before, const CpuTimes& after);

}  // namespace pend::metrics
