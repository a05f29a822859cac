// StripedCounter: a counter many threads change and any thread reads, without a lock and
// without every change fighting over one cache line: each thread adds to a stripe of its
// own (16 stripes, threads beyond share them: one per shard is the use), a read sums them.
//
//   StripedCounter in_flight;
//   in_flight.add(1); ... in_flight.add(-1);   // request threads
//   in_flight.sum();                            // anyone
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace pend::util {

class StripedCounter {
 public:
  void add(std::int64_t delta) {
    stripes_[stripe()].value.fetch_add(delta, std::memory_order_relaxed);
  }
  std::int64_t sum() const {
    std::int64_t total = 0;
    for (const auto& s : stripes_) total += s.value.load(std::memory_order_relaxed);
    return total;
  }

 private:
  static std::size_t stripe() {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t mine = next.fetch_add(1) % kStripes;
    return mine;
  }
  static constexpr std::size_t kStripes = 16;
  struct alignas(64) Stripe {
    std::atomic<std::int64_t> value{0};
  };
  std::array<Stripe, kStripes> stripes_{};
};

}  // namespace pend::util
