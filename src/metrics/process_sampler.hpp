// ProcessSampler: this process's memory and CPU use, sampled once a second on a thread of
// its own, for the api_metrics rows every request writes (reading them costs two relaxed
// loads; /proc is never touched on the request path).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace pend::metrics {

class ProcessSampler {
 public:
  explicit ProcessSampler(std::chrono::milliseconds period = std::chrono::seconds(1));
  ~ProcessSampler();  // stops the thread
  ProcessSampler(const ProcessSampler&) = delete;
  ProcessSampler& operator=(const ProcessSampler&) = delete;

  double memory_mb() const { return memory_centi_mb_.load(std::memory_order_relaxed) / 100.0; }
  // Over the last period; 100 is one core busy.
  double cpu_percent() const { return cpu_centi_percent_.load(std::memory_order_relaxed) / 100.0; }

 private:
  void sample();
  void run();

  std::chrono::milliseconds period_;
  std::atomic<std::int64_t> memory_centi_mb_{0};
  std::atomic<std::int64_t> cpu_centi_percent_{0};
  std::uint64_t last_ticks_ = 0;
  std::chrono::steady_clock::time_point last_at_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pend::metrics
