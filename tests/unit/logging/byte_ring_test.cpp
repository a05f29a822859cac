#include "logging/byte_ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace pend::logging {
namespace {

TEST(ByteRingTest, WritesAndDrainsInOrder) {
  ByteRing ring(64);
  EXPECT_TRUE(ring.try_write("first\n"));
  EXPECT_TRUE(ring.try_write("second\n"));
  std::string out;
  EXPECT_EQ(ring.drain(out), 13u);
  EXPECT_EQ(out, "first\nsecond\n");
  EXPECT_EQ(ring.drain(out), 0u);
}

TEST(ByteRingTest, RefusesWhatDoesNotFitWhole) {
  ByteRing ring(64);
  EXPECT_TRUE(ring.try_write(std::string(60, 'a')));
  EXPECT_FALSE(ring.try_write("12345")) << "never a partial line";
  std::string out;
  ring.drain(out);
  EXPECT_EQ(out, std::string(60, 'a'));
  EXPECT_TRUE(ring.try_write("12345"));
}

TEST(ByteRingTest, WrapsAroundTheEnd) {
  ByteRing ring(64);
  std::string out;
  for (int round = 0; round < 50; ++round) {
    const std::string line = "line-" + std::to_string(round) + std::string(round % 17, 'x') + "\n";
    ASSERT_TRUE(ring.try_write(line));
    out.clear();
    ring.drain(out);
    EXPECT_EQ(out, line);
  }
}

TEST(ByteRingTest, ConcurrentProducerAndConsumerLoseNothing) {
  ByteRing ring(4096);
  constexpr int kLines = 200'000;
  std::thread producer([&] {
    for (int i = 0; i < kLines;) {
      if (ring.try_write(std::to_string(i) + "\n")) ++i;
    }
  });
  std::string all;
  for (std::ptrdiff_t lines = 0; lines < kLines;) {
    const auto before = all.size();
    ring.drain(all);
    lines += std::count(all.begin() + static_cast<std::ptrdiff_t>(before), all.end(), '\n');
  }
  producer.join();
  std::size_t position = 0;
  for (int i = 0; i < kLines; ++i) {
    const auto end = all.find('\n', position);
    ASSERT_EQ(all.substr(position, end - position), std::to_string(i));
    position = end + 1;
  }
  EXPECT_EQ(position, all.size());
}

}  // namespace
}  // namespace pend::logging
