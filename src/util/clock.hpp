// Clock: where domain code reads the wall-clock time, so that tests move time instead of
// sleeping. The composition root hands every component the same clock; production's is
// SystemClock, tests' a ManualClock they advance.
//
//   util::ManualClock clock;                 // starts at the real now
//   clock.advance(std::chrono::minutes(16)); // a lock-out of 15 minutes is over
//   service.sign_in(...);                    // reads clock.now()
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace pend::util {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;

  std::int64_t unix_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }
  std::int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

// Thread-safe: shards read it while the test thread advances it.
class ManualClock final : public Clock {
 public:
  ManualClock() : ManualClock(std::chrono::system_clock::now()) {}
  explicit ManualClock(time_point start) : ticks_(start.time_since_epoch().count()) {}

  time_point now() const override { return time_point{time_point::duration{ticks_.load()}}; }
  void advance(std::chrono::system_clock::duration by) { ticks_.fetch_add(by.count()); }
  void set(time_point to) { ticks_.store(to.time_since_epoch().count()); }

 private:
  std::atomic<time_point::rep> ticks_;
};

// The process's system clock, for components built without one.
const Clock& system_clock();

}  // namespace pend::util
