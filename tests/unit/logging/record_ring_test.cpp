#include "logging/record_ring.hpp"

#include "logging/record.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pend::logging {
namespace {

// A framed record whose body is text (with its newline), padded as the logger pads it.
std::string record(std::string_view text) {
  std::string out(record_size(text.size()), '\0');
  encode_header(out.data(), {Level::info, Category::api, false, false},
                static_cast<std::uint32_t>(text.size()));
  std::copy(text.begin(), text.end(), out.begin() + kRecordHeader);
  return out;
}

// Everything readable now, as the bodies, and released.
std::vector<std::string> take(RecordRing& ring) {
  std::vector<std::string> bodies;
  for (int pass = 0; pass < 2; ++pass) {  // a wrapped remainder comes with the next peek
    const std::string_view records = ring.peek();
    for_each_record(records,
                    [&](const RecordMeta&, std::string_view body) { bodies.emplace_back(body); });
    ring.pop(records.size());
  }
  return bodies;
}

TEST(RecordRingTest, ReadsInPlaceInOrderUntilPopped) {
  RecordRing ring(128);
  EXPECT_TRUE(ring.try_push(record("first\n")));
  EXPECT_TRUE(ring.try_push(record("second\n")));
  EXPECT_EQ(ring.peek().size(), 32u) << "two records of 16 bytes, headers and padding included";
  EXPECT_EQ(ring.peek().size(), 32u) << "nothing is released by looking";
  EXPECT_EQ(take(ring), (std::vector<std::string>{"first\n", "second\n"}));
  EXPECT_TRUE(ring.peek().empty());
  EXPECT_EQ(ring.written(), ring.drained());
}

TEST(RecordRingTest, RefusesWhatDoesNotFitWhole) {
  RecordRing ring(64);
  EXPECT_TRUE(ring.try_push(record(std::string(50, 'a'))));  // 64 bytes: the whole ring
  EXPECT_FALSE(ring.try_push(record("x\n"))) << "never a partial record";
  EXPECT_EQ(take(ring).front(), std::string(50, 'a'));
  EXPECT_TRUE(ring.try_push(record("x\n")));
}

TEST(RecordRingTest, ARecordThatWouldWrapStartsAgainAtTheBeginning) {
  RecordRing ring(64);
  for (int round = 0; round < 50; ++round) {
    const std::string body = "line-" + std::to_string(round) + std::string(round % 23, 'x') + "\n";
    ASSERT_TRUE(ring.try_push(record(body))) << round;
    const auto bodies = take(ring);
    ASSERT_EQ(bodies.size(), 1u) << round;
    EXPECT_EQ(bodies.front(), body);
    const std::string_view records = ring.peek();
    EXPECT_TRUE(records.empty());
  }
}

TEST(RecordRingTest, ConcurrentProducerAndConsumerLoseNothing) {
  RecordRing ring(4096);
  constexpr int kLines = 200'000;
  std::thread producer([&] {
    for (int i = 0; i < kLines;) {
      if (ring.try_push(record(std::to_string(i) + "\n"))) ++i;
    }
  });
  int expected = 0;
  while (expected < kLines) {
    const std::string_view records = ring.peek();
    for_each_record(records, [&](const RecordMeta&, std::string_view body) {
      ASSERT_EQ(body, std::to_string(expected) + "\n");
      ++expected;
    });
    ring.pop(records.size());
  }
  producer.join();
  EXPECT_TRUE(ring.peek().empty());
}

}  // namespace
}  // namespace pend::logging
