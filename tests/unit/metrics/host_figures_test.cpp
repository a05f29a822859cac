// The metrics-collector's /proc parsers on fixed samples of the files.
#include "metrics/host_figures.hpp"

#include <gtest/gtest.h>

namespace pend::metrics {
namespace {

TEST(HostFiguresTest, CpuBusyIsEverythingButIdleAndIoWait) {
  const auto before = parse_proc_stat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n");
  const auto after = parse_proc_stat("cpu  160 0 70 900 70 0 0 0 0 0\n");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(before->total, 1000u);
  EXPECT_EQ(before->busy, 150u);
  EXPECT_DOUBLE_EQ(busy_percent(*before, *after), 40.0) << "80 busy ticks of 200";
  EXPECT_DOUBLE_EQ(busy_percent(*after, *after), 0.0);
  EXPECT_FALSE(parse_proc_stat("intr 1 2 3"));
}

TEST(HostFiguresTest, MemoryFromMeminfo) {
  const auto memory = parse_meminfo(
      "MemTotal:       24683520 kB\nMemFree:        20000000 kB\nMemAvailable:   12341760 kB\n");
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->total_kib, 24683520u);
  EXPECT_EQ(memory->available_kib, 12341760u);
  EXPECT_FALSE(parse_meminfo("MemTotal: 1 kB\n")) << "no MemAvailable";
}

TEST(HostFiguresTest, NetworkSumsEveryInterfaceButLoopback) {
  const auto bytes = parse_net_dev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets\n"
      "    lo: 5000 10 0 0 0 0 0 0 5000 10 0 0 0 0 0 0\n"
      "  eth0: 1000 5 0 0 0 0 0 0 2000 6 0 0 0 0 0 0\n"
      "  eth1: 10 1 0 0 0 0 0 0 20 1 0 0 0 0 0 0\n");
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->received, 1010u);
  EXPECT_EQ(bytes->transmitted, 2020u);
}

TEST(HostFiguresTest, ProcessTicksAfterACommandWithSpacesAndThreads) {
  const auto figures =
      parse_process("4242 (pend (server) x) S 1 4242 4242 0 -1 4194560 500 0 0 0 120 30 0 0 20",
                    "Name:\tpend-server\nThreads:\t12\n");
  ASSERT_TRUE(figures);
  EXPECT_EQ(figures->cpu_ticks, 150u);
  EXPECT_EQ(figures->threads, 12u);
}

TEST(HostFiguresTest, ADirectoryNotMadeYetIsMeasuredOnItsParent) {
  const auto disk = read_disk("/tmp/pend-no-such-dir/uploads/tmp");
  ASSERT_TRUE(disk);
  EXPECT_GT(disk->total_bytes, 0u);
  EXPECT_LE(disk->available_bytes, disk->total_bytes);
}

}  // namespace
}  // namespace pend::metrics
